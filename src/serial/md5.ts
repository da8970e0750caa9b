// MD5 in the page, because MD5 is what the ESP32 flasher stub computes over a flash region (SPI_FLASH_MD5).
import SparkMD5 from 'spark-md5';

/** Lower-case hex MD5 of the bytes, as esptool-js prints the stub's answer. */
export function md5Hex(bytes: Uint8Array): string {
  const buffer =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes.buffer
      : bytes.slice().buffer;
  return SparkMD5.ArrayBuffer.hash(buffer);
}
