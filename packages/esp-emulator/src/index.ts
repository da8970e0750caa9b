// @fieldflash/esp-emulator: an ESP32 / ESP32-S3 / ESP32-C3 on the end of a serial line, for tests, demos and
// benchmarks. The chip (EspEmulator) is shared; EmulatedSerialPort puts it behind the Web Serial API and
// '@fieldflash/esp-emulator/node' behind a raw TCP socket.
export { EspEmulator } from './emulator.ts';
export type { ChipState, EmulatorStats, EspEmulatorOptions, HostConnection, HostLink, UsbConnection } from './emulator.ts';
export { EmulatedSerialPort } from './web-serial-port.ts';
export type { EmulatedSerialPortOptions } from './web-serial-port.ts';
export type { Direction, FaultPlan } from './faults.ts';
export { BOOT_FAULTS, isBootFault, type BootFault } from './boot/boot-faults.ts';
export { CHIPS, CHIP_NAMES, type ChipIdentity, type ChipName } from './registers/chips.ts';
export { DEFAULT_FLASH_SIZE, SECTOR_SIZE } from './flash.ts';
export { jedecId } from './registers/spi-flash.ts';
export { romCrc32Le } from './boot/partition-table.ts';
export { chipEraseMs, FLASH_TIMING } from './flash-timing.ts';
export { DEFAULT_SIMULATED_WIFI, type SimulatedNetwork, type SimulatedWifi } from './app/simulated-wifi.ts';
export { encodeImprovPacket, ImprovError, ImprovPacketReader, ImprovState, PacketType as ImprovPacketType, RpcCommand as ImprovRpcCommand } from './app/improv-packet.ts';
export { decodeVfsImage, type BoardEntry, type VfsContents } from './micropython/vfs-image.ts';
