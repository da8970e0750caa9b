// Raw line throughput through the Web Serial shell with wire time on; runs in Node and in the page.
import { EmulatedSerialPort, EspEmulator } from '../../packages/esp-emulator/src/index.ts';

const MiB = 1024 * 1024;

function frame(op: number, data: number[]): Uint8Array {
  const packet = [0x00, op, data.length & 0xff, data.length >> 8, 0, 0, 0, 0, ...data];
  const out = [0xc0];
  for (const b of packet) out.push(...(b === 0xc0 ? [0xdb, 0xdc] : b === 0xdb ? [0xdb, 0xdd] : [b]));
  return Uint8Array.from([...out, 0xc0]);
}
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** A chip in its ROM loader at `baud`, and a port opened at the same rate. */
async function lineAt(baud: number): Promise<{ chip: EspEmulator; port: EmulatedSerialPort }> {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: true, powerOnBoot: 'download', flashSize: 4 * MiB });
  const port = new EmulatedSerialPort(chip);
  await port.open({ baudRate: 115200 });
  const writer = port.writable!.getWriter();
  await writer.write(frame(0x0f, [...le32(baud), ...le32(0)]));
  writer.releaseLock();
  await new Promise((r) => setTimeout(r, 50));
  await port.readable!.cancel();
  await port.close();
  await port.open({ baudRate: baud });
  return { chip, port };
}

export async function hostToChip(baud: number, bytes: number): Promise<number> {
  const { chip, port } = await lineAt(baud);
  const writer = port.writable!.getWriter();
  const chunk = new Uint8Array(16 * 1024).fill(0x55); // not a frame: the ROM reads and ignores it
  const before = chip.stats.bytesToChip;
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) await writer.write(chunk);
  const seconds = (performance.now() - t0) / 1000;
  writer.releaseLock();
  const moved = chip.stats.bytesToChip - before;
  await port.close();
  chip.dispose();
  return moved / seconds;
}

export async function chipToHost(baud: number, bytes: number): Promise<number> {
  const { chip, port } = await lineAt(baud);
  // READ_FLASH needs the stub: upload a token "stub" and start it.
  const writer = port.writable!.getWriter();
  const code = new Array(16).fill(0);
  await writer.write(frame(0x05, [...le32(16), ...le32(1), ...le32(0x1800), ...le32(0x400a8000)]));
  await writer.write(frame(0x07, [...le32(16), ...le32(0), ...le32(0), ...le32(0), ...code]));
  await writer.write(frame(0x06, [...le32(0), ...le32(0x400a8000)]));
  await new Promise((r) => setTimeout(r, 50));
  // max_in_flight as large as the read: the stub streams without waiting, so only the line limits it.
  const reader = port.readable!.getReader();
  await writer.write(frame(0xd2, [...le32(0), ...le32(bytes), ...le32(0x1000), ...le32(bytes)]));
  const t0 = performance.now();
  let received = 0;
  while (received < bytes) received += (await reader.read()).value!.length;
  const seconds = (performance.now() - t0) / 1000;
  reader.releaseLock();
  writer.releaseLock();
  chip.dispose();
  return received / seconds;
}

