// Typed reading of untrusted manifest values. Every failure names the file, the field and the value found.
import { parseChipFamily, CHIP_FAMILIES, type ChipFamily } from './chip-family.ts';
import { BundleError } from './errors.ts';

export type Json = Record<string, unknown>;

export function shown(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function invalid(file: string, field: string, problem: string, value?: unknown, hint?: string): BundleError {
  const found = arguments.length >= 4 ? ` (found ${shown(value)})` : '';
  return new BundleError('invalid-manifest', `${file}: "${field}" ${problem}${found}.`, {
    file,
    field,
    hint: hint ?? `Correct "${field}" in ${file}; docs/bundle-format.md describes every field.`,
  });
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, file: string, field: string): Json {
  if (!isObject(value)) throw invalid(file, field, 'must be an object', value);
  return value;
}

export function asArray(value: unknown, file: string, field: string, options: { nonEmpty?: boolean } = {}): unknown[] {
  if (!Array.isArray(value)) throw invalid(file, field, 'must be a list', value);
  if (options.nonEmpty && value.length === 0) throw invalid(file, field, 'must list at least one entry', value);
  return value;
}

export function asString(value: unknown, file: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(file, field, 'must be a non-empty text', value);
  return value.trim();
}

export function optionalString(value: unknown, file: string, field: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, file, field);
}

export function asInteger(value: unknown, file: string, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(file, field, `must be a whole number from ${min} to ${max}`, value);
  }
  return value;
}

export function optionalInteger(value: unknown, file: string, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return value === undefined || value === null ? undefined : asInteger(value, file, field, min, max);
}

/** A flash offset: a number, a decimal string ("65536") or a hex string ("0x10000"). */
export function parseOffset(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const s = value.trim();
    if (/^0x[0-9a-f]+$/i.test(s)) n = parseInt(s.slice(2), 16);
    else if (/^[0-9]+$/.test(s)) n = parseInt(s, 10);
  }
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32 ? n : undefined;
}

export function asOffset(value: unknown, file: string, field: string): number {
  const n = parseOffset(value);
  if (n === undefined) throw invalid(file, field, 'is not a flash offset (write a number such as 65536 or a hex text such as "0x10000")', value);
  return n;
}

export function asSha256(value: unknown, file: string, field: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value.trim())) throw invalid(file, field, 'must be a SHA-256 written as 64 hex digits', value);
  return value.trim().toLowerCase();
}

export function asChipFamily(value: unknown, file: string, field: string): ChipFamily {
  const family = typeof value === 'string' ? parseChipFamily(value) : undefined;
  if (!family) {
    throw new BundleError('unknown-chip-family', `${file}: "${field}" is ${shown(value)}, which is not a chip family FieldFlash knows.`, {
      file,
      field,
      hint: `Use one of ${CHIP_FAMILIES.join(', ')}.`,
    });
  }
  return family;
}

/** "4MB", "16MB", "2M", "4194304" or a number of bytes. */
export function parseFlashSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+)\s*(MB|M|MiB|KB|K|KiB)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = parseInt(m[1]!, 10);
  const unit = (m[2] ?? '').toUpperCase();
  return unit.startsWith('M') ? n * 1024 * 1024 : unit.startsWith('K') ? n * 1024 : n;
}

/** No manifest nests deeper than a few levels; a deeper one would overflow the stack of every walk over it. */
export const MAX_JSON_DEPTH = 64;

/** How deep the brackets of a JSON text nest, read outside strings; stops counting past `limit`. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function parseJson(text: string, file: string): unknown {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new BundleError('invalid-manifest', `${file} nests its JSON more than ${MAX_JSON_DEPTH} levels deep; no manifest does.`, {
      file,
      hint: `Check that ${file} is the release's manifest; if it is, ask its publisher for one that is not damaged.`,
    });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new BundleError('invalid-manifest', `${file} is not valid JSON: ${(err as Error).message}.`, {
      file,
      hint: `Fix the JSON syntax of ${file} (a JSON validator shows the exact spot), then import the release again.`,
      cause: err,
    });
  }
}
