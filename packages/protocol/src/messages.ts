// Every message of the FieldFlash LAN update protocol v1 (docs/protocol.md), as types and as typed parsers, one
// module per part of the protocol. Parsers accept unknown fields (devices and clients of later minor versions may
// add some) and refuse wrong ones with a MessageError naming the field. Refusal bodies are in error-codes.ts.

export * from './api.ts';
export * from './device-document.ts';
export * from './auth-messages.ts';
export * from './update-messages.ts';
export * from './reboot-schedule-messages.ts';
export * from './webrtc-messages.ts';
export * from './frame-messages.ts';
export * from './tree-messages.ts';
export { BASE64, HEX_MAC, MessageError } from './fields.ts';
