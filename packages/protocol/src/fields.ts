// Typed reading of untrusted JSON: every failure names the message, the field and the value found.
import { isSemver, MAX_VERSION_LENGTH } from '@fieldflash/bundle/version';

export class MessageError extends Error {
  /** Dotted path of the offending field, e.g. `DeviceDocument.slots[1].state`. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'MessageError';
    this.field = field;
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export { isSemver, MAX_VERSION_LENGTH };
/** Deepest nesting a protocol message needs is 4; anything far deeper is an attack on the parser, not a message. */
export const MAX_JSON_DEPTH = 32;
export const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Padded base64 (RFC 4648 §4) exactly: whole groups of four, padding only at the end. */
export const BASE64_PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const HEX_MAC = /^[0-9a-f]{64}$/;

/** The length of the padded base64 text of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'a list' : 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses JSON text and refuses nesting deeper than MAX_JSON_DEPTH, so no later step recurses without bound. */
export function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MessageError(what, 'not valid JSON');
  }
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > MAX_JSON_DEPTH) throw new MessageError(what, `nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return value;
}

/** Reads the fields of one JSON object, remembering where it sits in the message. */
export class Fields {
  readonly path: string;
  private readonly obj: Record<string, unknown>;

  constructor(value: unknown, path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MessageError(path, `expected an object, got ${shown(value)}`);
    }
    this.obj = value as Record<string, unknown>;
    this.path = path;
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.obj[name];
  }

  fail(name: string, problem: string): never {
    throw new MessageError(`${this.path}.${name}`, problem);
  }

  string(name: string, opts: { pattern?: RegExp; what?: string; maxLength?: number; minLength?: number } = {}): string {
    const v = this.obj[name];
    if (typeof v !== 'string') this.fail(name, `expected a string, got ${shown(v)}`);
    if ((opts.minLength ?? 1) > v.length) this.fail(name, v.length === 0 ? 'must not be empty' : `shorter than ${opts.minLength} characters`);
    if (opts.maxLength !== undefined && v.length > opts.maxLength) this.fail(name, `longer than ${opts.maxLength} characters`);
    if (opts.pattern && !opts.pattern.test(v)) this.fail(name, `expected ${opts.what ?? opts.pattern.source}, got ${shown(v)}`);
    return v;
  }

  sha256(name: string): string {
    return this.string(name, { pattern: SHA256_HEX, what: '64 lower-case hex digits (SHA-256)' });
  }

  semver(name: string): string {
    const v = this.string(name, { maxLength: MAX_VERSION_LENGTH });
    if (!isSemver(v)) this.fail(name, `expected a SemVer 2.0 version such as 1.3.0, got ${shown(v)}`);
    return v;
  }

  /** A hex HMAC-SHA-256: the password proofs and the WebRTC fingerprint proofs. */
  hmac(name: string): string {
    return this.string(name, { pattern: HEX_MAC, what: '64 lower-case hex digits (HMAC-SHA-256)' });
  }

  base64(name: string): string {
    return this.string(name, { pattern: BASE64, what: 'base64' });
  }

  /** Padded base64 of `min` to `max` bytes: nonces and salts (docs/protocol.md §3.2). */
  base64Bytes(name: string, min: number, max: number): string {
    return this.string(name, { pattern: BASE64_PADDED, what: 'padded base64', minLength: base64Length(min), maxLength: base64Length(max) });
  }

  clientId(name: string): string {
    return this.string(name, { pattern: CLIENT_ID, what: '1 to 64 letters, digits, ".", "_" or "-"' });
  }

  int(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.obj[name];
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(name, `expected an integer, got ${shown(v)}`);
    if (v < min || v > max) this.fail(name, `expected an integer from ${min} to ${max}, got ${v}`);
    return v;
  }

  boolean(name: string): boolean {
    const v = this.obj[name];
    if (typeof v !== 'boolean') this.fail(name, `expected true or false, got ${shown(v)}`);
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.obj[name];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(name, `expected one of ${allowed.join(', ')}, got ${shown(v)}`);
    }
    return v as T;
  }

  literal<T extends string>(name: string, value: T): T {
    return this.oneOf(name, [value]);
  }

  object(name: string): Fields {
    return new Fields(this.obj[name], `${this.path}.${name}`);
  }

  array<T>(name: string, item: (value: unknown, path: string) => T, minItems = 0): T[] {
    const v = this.obj[name];
    if (!Array.isArray(v)) this.fail(name, `expected a list, got ${shown(v)}`);
    if (v.length < minItems) this.fail(name, `expected at least ${minItems} entries, got ${v.length}`);
    return v.map((entry, i) => item(entry, `${this.path}.${name}[${i}]`));
  }

  optional<T>(name: string, read: (fields: Fields, name: string) => T): T | undefined {
    return this.has(name) ? read(this, name) : undefined;
  }
}

export function stringItem(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new MessageError(path, `expected a non-empty string, got ${shown(value)}`);
  return value;
}

export function intItem(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new MessageError(path, `expected a whole number, got ${shown(value)}`);
  return value;
}

/** Product, chip, board and hardware names compare case-insensitively, ignoring surrounding spaces (§4.1). */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Drops keys whose value is undefined, so parsed messages compare and serialise cleanly. */
export function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
