// MD5 in the page, because MD5 is what the ESP32 flasher stub computes over a flash region (SPI_FLASH_MD5).
import SparkMD5 from 'spark-md5';

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}

/** Lower-case hex MD5 of the bytes, as esptool-js prints the stub's answer. */
export function md5Hex(bytes: Uint8Array): string {
  return SparkMD5.ArrayBuffer.hash(arrayBufferOf(bytes));
}

/** MD5 over bytes that come in pieces (a write hashes its image while the wire is busy). */
export class Md5Stream {
  private readonly md5 = new SparkMD5.ArrayBuffer();

  append(bytes: Uint8Array): void {
    this.md5.append(arrayBufferOf(bytes));
  }

  hex(): string {
    return this.md5.end();
  }
}

/** Raw 16-byte digest, as the stub sends it, in lower-case hex. */
export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** MD5 of the bytes a slice per turn of the event loop, so answers from the board are not kept waiting meanwhile. */
export async function md5InTurns(bytes: Uint8Array, nextTurn: () => Promise<void>, slice = 0x20000): Promise<string> {
  const md5 = new Md5Stream();
  for (let at = 0; at < bytes.length; at += slice) {
    md5.append(bytes.subarray(at, at + slice));
    await nextTurn();
  }
  return md5.hex();
}
