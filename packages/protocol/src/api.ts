// The names every transport carries the protocol major version in (docs/protocol.md §1, §8.2, §9): the API base
// path, the data channel's label, and the request methods and paths a data-channel frame may name.

export const PROTOCOL_VERSION = 1;
export const API_BASE = '/fieldflash/v1';
/** The data channel's label; the protocol major version is part of it. */
export const DATA_CHANNEL_LABEL = 'fieldflash-v1';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** Any path under the API base, with the query HTTP would carry. */
export const PATH = /^\/fieldflash\/v1\/[A-Za-z0-9/_.-]*(\?[A-Za-z0-9=&_.-]*)?$/;
/** The path a chunk goes to: the update session of one image. */
export const UPDATE_PATH = /^\/fieldflash\/v1\/updates\/[0-9a-f]{64}$/;
