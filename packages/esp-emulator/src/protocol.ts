// Packet layout of the serial bootloader protocol (see docs in esp-rom-protocol.md):
// request  = 00 | op | u16 len | u32 checksum | data
// response = 01 | op | u16 len | u32 value | data | status
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** Failure reasons the ROM puts in the second status byte. */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  FAILED_TO_ACT: 0x06,
  BAD_CHECKSUM: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  BAD_READ_LENGTH: 0x0a,
  DEFLATE: 0x0b,
} as const;

/** Error codes the flasher stub puts in the first status byte. */
export const StubError = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  FAILED_SPI_UNLOCK: 0xc5,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  NOT_IMPLEMENTED: 0xff,
} as const;

export const SYNC_PAYLOAD = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
export const CHECKSUM_SEED = 0xef;

export interface Request {
  op: number;
  /** Declared length; may disagree with data.length in a damaged packet. */
  declaredLength: number;
  checksum: number;
  data: Uint8Array;
}

/** Returns undefined for anything that is not a host-to-chip packet (too short or wrong direction). */
export function parseRequest(frame: Uint8Array): Request | undefined {
  if (frame.length < 8 || frame[0] !== 0x00) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    op: frame[1]!,
    declaredLength: view.getUint16(2, true),
    checksum: view.getUint32(4, true),
    data: frame.subarray(8),
  };
}

export function buildResponse(op: number, value: number, body: Uint8Array, status: Uint8Array): Uint8Array {
  const packet = new Uint8Array(8 + body.length + status.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x01;
  packet[1] = op;
  view.setUint16(2, body.length + status.length, true);
  view.setUint32(4, value >>> 0, true);
  packet.set(body, 8);
  packet.set(status, 8 + body.length);
  return packet;
}

export function dataChecksum(payload: Uint8Array): number {
  let state = CHECKSUM_SEED;
  for (const b of payload) state ^= b;
  return state;
}

export function u32(data: Uint8Array, index: number): number {
  return (data[index * 4]! | (data[index * 4 + 1]! << 8) | (data[index * 4 + 2]! << 16) | (data[index * 4 + 3]! << 24)) >>> 0;
}

export function u32le(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}
