// Mutations of real bundles, as fast-check arbitraries: damaged and renamed entries, duplicates, zip bombs, headers
// that lie (zip sizes, manifest sizes and offsets, ESP image segment lengths), manifests with wrong types, and
// detached signatures that are malformed or sign other bytes. `buildInput` turns a seed and its mutations into
// what readBundle is given.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import { inspectEspImage, type BundleInput } from '../../packages/bundle/src/index.ts';
import { craftZip, type CraftEntry } from '../../packages/bundle/test/helpers.ts';
import { signatureOf, type Container, type Entry, type Seed } from './bundle-seeds.ts';

const text = (s: string) => new TextEncoder().encode(s);

/** An entry as it will be zipped: its bytes, and any lie its zip headers tell. */
interface WorkEntry extends CraftEntry {
  path: string;
}

const weird = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 + 5 }),
  fc.constantFrom(-1, 0, 1, 0.5, -1e-9, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, 0x1000, 0x8000, 0x10000, 0x400000),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '0x', '0x10000', '-0x1', '0x100000000', '1e3', '65536', 'ESP32', 'esp32-s3', 'ESP8266', 'esp32-p4', 'riscv',
    '../x.bin', '/etc/passwd', 'v1.0', '1.0.0-', '01.2.3', '9'.repeat(400), 'a'.repeat(300), '>=1.0.0 <', '*', 'dio', '4MB', 'all', 'parts'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

const entryName = fc.oneof(
  fc.constantFrom('../escape.bin', '/abs/path.bin', 'a/../../b.bin', 'C:\\win\\x.bin', 'dir\\sub.bin', 'a//b.bin', './x.bin', '', ' ', 'x\u0000y.bin',
    'FIELDFLASH.JSON', 'manifest.json', 'fieldflash.json', 'ota/', '__MACOSX/._fieldflash.json', '.DS_Store', 'é/ü.bin', 'a/'.repeat(400) + 'f.bin',
    'x'.repeat(1000), 'manifest', 'ota.json', 'build/flasher_args.json', 'src/main.py', 'src/.version', 'src/env.py', 'fieldflash.json.sig'),
  fc.string({ maxLength: 30 }),
);

export type Mutation =
  | { kind: 'flip'; entry: number; at: number; xor: number }
  | { kind: 'truncate'; entry: number; keep: number }
  | { kind: 'extend'; entry: number; bytes: Uint8Array }
  | { kind: 'rename'; entry: number; name: string }
  | { kind: 'duplicate'; entry: number; variant: 'same' | 'other-data' | 'other-case' }
  | { kind: 'drop'; entry: number }
  | { kind: 'zip-lie'; entry: number; lie: 'crc' | 'usize' | 'csize' | 'local-usize' | 'stored-as-deflate' | 'unknown-method'; value: number }
  | { kind: 'add'; what: 'bomb-lying' | 'bomb-honest' | 'bomb-many' | 'many-entries' | 'deep-path' | 'nested-zip' | 'empty-file' | 'folder-entry' }
  | { kind: 'esp-header'; entry: number; field: 'segment-count' | 'segment-length' | 'chip-id' | 'hash-appended' | 'entry-address' | 'app-magic' | 'secure-version' | 'version-text'; value: number; fixHash: boolean }
  | { kind: 'manifest'; edit: 'set' | 'delete' | 'lie' | 'deep' | 'huge-string' | 'duplicate-key' | 'truncate' | 'insert' | 'kv-line'; node: number; value: unknown; at: number }
  | { kind: 'signature'; variant: 'wrong-format' | 'wrong-type' | 'garbage-base64' | 'other-bytes' | 'not-json' | 'empty' | 'binary' | 'huge' | 'missing-field'; field: string; value: unknown };

const i = fc.nat({ max: 1_000_000 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), entry: i, at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('truncate' as const), entry: i, keep: fc.oneof(fc.nat({ max: 64 }), fc.nat()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), entry: i, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), entry: i, name: entryName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), entry: i, variant: fc.constantFrom('same' as const, 'other-data' as const, 'other-case' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), entry: i }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('zip-lie' as const),
      entry: i,
      lie: fc.constantFrom('crc' as const, 'usize' as const, 'csize' as const, 'local-usize' as const, 'stored-as-deflate' as const, 'unknown-method' as const),
      value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 0xffffffff, 0xfffffffe, 512 * 1024 * 1024)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      what: fc.constantFrom('bomb-lying' as const, 'bomb-honest' as const, 'bomb-many' as const, 'many-entries' as const, 'deep-path' as const, 'nested-zip' as const, 'empty-file' as const, 'folder-entry' as const),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('esp-header' as const),
      entry: i,
      field: fc.constantFrom('segment-count' as const, 'segment-length' as const, 'chip-id' as const, 'hash-appended' as const, 'entry-address' as const, 'app-magic' as const, 'secure-version' as const, 'version-text' as const),
      value: fc.oneof(fc.nat({ max: 32 }), fc.nat(), fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000, 0xfff8)),
      fixHash: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('manifest' as const),
      edit: fc.constantFrom('set' as const, 'set' as const, 'delete' as const, 'lie' as const, 'lie' as const, 'deep' as const, 'huge-string' as const, 'duplicate-key' as const, 'truncate' as const, 'insert' as const, 'kv-line' as const),
      node: i,
      value: weird,
      at: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('signature' as const),
      variant: fc.constantFrom('wrong-format' as const, 'wrong-type' as const, 'garbage-base64' as const, 'other-bytes' as const, 'not-json' as const, 'empty' as const, 'binary' as const, 'huge' as const, 'missing-field' as const),
      field: fc.constantFrom('format', 'algorithm', 'keyId', 'signature'),
      value: weird,
    }),
  },
);

export interface BundleCase {
  seed: number;
  container: number;
  mutations: Mutation[];
  /** Declare the mutated files' new sizes and digests in the manifest, so that lies inside them reach deeper checks. */
  fixDigests: boolean;
  /** Damage to the finished zip's bytes. */
  zipDamage: { flips: Array<[number, number]>; cut?: number; eocd?: { field: 'count' | 'cd-size' | 'cd-offset' | 'comment-length'; value: number }; prefix?: number } | undefined;
}

export const bundleCase: fc.Arbitrary<BundleCase> = fc.record({
  seed: fc.nat(),
  container: fc.nat(),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  fixDigests: fc.boolean(),
  zipDamage: fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.record({
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
        cut: fc.option(fc.nat(), { nil: undefined, freq: 2 }),
        eocd: fc.option(fc.record({ field: fc.constantFrom('count' as const, 'cd-size' as const, 'cd-offset' as const, 'comment-length' as const), value: fc.oneof(fc.nat({ max: 0xffff }), fc.nat()) }), { nil: undefined, freq: 2 }),
        prefix: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat({ max: 4096 }) }),
      }),
    },
  ),
});

const BOMB_SIZE = 100 * 1024 * 1024;
let bomb: { payload: Uint8Array; crc: number } | undefined;
/** 100 MiB of zeros deflated to about 100 KiB: a real zip bomb entry, made once. */
function bombPayload(): { payload: Uint8Array; crc: number } {
  if (!bomb) {
    const zeros = Buffer.alloc(BOMB_SIZE);
    bomb = { payload: new Uint8Array(deflateRawSync(zeros)), crc: crc32(zeros) };
  }
  return bomb;
}

const deflated = new WeakMap<Uint8Array, Uint8Array>();
/** The deflated bytes of an unchanged seed entry are made once, so that a case costs what its mutation costs. */
function payloadOf(e: WorkEntry): Uint8Array {
  let p = deflated.get(e.data);
  if (!p) deflated.set(e.data, (p = new Uint8Array(deflateRawSync(e.data))));
  return p;
}

const isManifest = (path: string) => /(^|\/)(fieldflash|manifest|ota|flasher_args)\.json$|^manifest$/i.test(path);

function mutateJson(textIn: string, m: Extract<Mutation, { kind: 'manifest' }>): string {
  try {
    return editJson(textIn, m);
  } catch (err) {
    // A document an earlier mutation nested too deep to write again is left as it is.
    if (err instanceof RangeError) return textIn;
    throw err;
  }
}

function editJson(textIn: string, m: Extract<Mutation, { kind: 'manifest' }>): string {
  if (m.edit === 'truncate') return textIn.slice(0, m.at % (textIn.length + 1));
  if (m.edit === 'insert') {
    const at = m.at % (textIn.length + 1);
    return textIn.slice(0, at) + String(JSON.stringify(m.value)).slice(0, 3) + textIn.slice(at);
  }
  if (m.edit === 'duplicate-key') return textIn.replace('{', `{"version": ${JSON.stringify(m.value)}, "format": ${JSON.stringify(m.value)},`);
  if (m.edit === 'kv-line') {
    const lines = textIn.split('\n');
    const n = m.node % lines.length;
    const [key] = lines[n]!.split('=');
    lines.splice(n, m.at % 3 === 0 ? 1 : 0, `${key}=${typeof m.value === 'string' ? m.value : JSON.stringify(m.value)}`);
    return lines.join('\n');
  }
  let json: unknown;
  try {
    json = JSON.parse(textIn);
  } catch {
    return textIn;
  }
  // Every place in the document: [parent, key] pairs, the root's parent being a box.
  const box = { root: json } as Record<string, unknown>;
  const places: Array<[Record<string, unknown>, string]> = [[box, 'root']];
  const walk = (value: unknown, depth = 0) => {
    if (value === null || typeof value !== 'object' || depth > 64) return;
    for (const key of Object.keys(value)) {
      places.push([value as Record<string, unknown>, key]);
      walk((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  walk(json);
  const candidates = m.edit === 'lie' ? places.filter(([p, k]) => typeof p[k] === 'number' || /^(0x[0-9a-f]+|\d+)$/i.test(String(p[k]))) : places;
  const [parent, key] = candidates[m.node % Math.max(1, candidates.length)] ?? places[0]!;
  const old = parent[key];
  switch (m.edit) {
    case 'set':
      parent[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'lie': {
      const n = typeof old === 'number' ? old : Number(old);
      const lies = [n + 1, n - 1, n * 2, n + 0x1000, 0, 2 ** 32 - 1, n + 0x400000, -n];
      const lie = lies[m.at % lies.length]!;
      parent[key] = typeof old === 'string' ? `0x${Math.abs(lie).toString(16)}` : lie;
      break;
    }
    case 'deep': {
      const depth = [40, 1000, 100_000][m.at % 3]!;
      return JSON.stringify(box.root).replace(JSON.stringify(old) ?? '', `${'['.repeat(depth)}1${']'.repeat(depth)}`);
    }
    case 'huge-string':
      parent[key] = 'x'.repeat([300, 70_000, 1_100_000][m.at % 3]!);
      break;
  }
  return JSON.stringify(box.root, null, 2) ?? '';
}

function mutateEspHeader(data: Uint8Array, m: Extract<Mutation, { kind: 'esp-header' }>): Uint8Array {
  const out = data.slice();
  const view = new DataView(out.buffer);
  let info: ReturnType<typeof inspectEspImage> | undefined;
  try {
    info = inspectEspImage(data);
  } catch {
    // a damaged image is mutated all the same
  }
  switch (m.field) {
    case 'segment-count':
      out[1] = m.value & 0xff;
      break;
    case 'segment-length': {
      const segments = info?.segments ?? [{ dataOffset: 32 }];
      const s = segments[m.value % segments.length]!;
      if (s.dataOffset - 4 + 4 <= out.length) view.setUint32(s.dataOffset - 4, m.value >>> 0, true);
      break;
    }
    case 'chip-id':
      view.setUint16(12, m.value & 0xffff, true);
      break;
    case 'hash-appended':
      out[23] = out[23]! ^ 1;
      break;
    case 'entry-address':
      view.setUint32(4, m.value >>> 0, true);
      break;
    case 'app-magic':
      if (out.length >= 36) view.setUint32(32, m.value >>> 0, true);
      break;
    case 'secure-version':
      if (out.length >= 40) view.setUint32(36, m.value >>> 0, true);
      break;
    case 'version-text':
      if (out.length >= 80) out.set(new Uint8Array(32).map((_, k) => (m.value + k * 37) & 0xff), 48);
      break;
  }
  // Re-sign the image's own SHA-256, so that the lie reaches the checks behind it.
  if (m.fixHash && info?.hashAppended && info.imageLength <= out.length) {
    out.set(createHash('sha256').update(out.subarray(0, info.imageLength - 32)).digest(), info.imageLength - 32);
  }
  return out;
}

function signatureText(manifest: Uint8Array, m: Extract<Mutation, { kind: 'signature' }>): Uint8Array {
  const good = JSON.parse(new TextDecoder().decode(signatureOf(manifest))) as Record<string, unknown>;
  switch (m.variant) {
    case 'wrong-format':
      return text(JSON.stringify({ ...good, format: m.value }));
    case 'wrong-type':
      return text(JSON.stringify({ ...good, [m.field]: m.value }));
    case 'missing-field':
      delete good[m.field];
      return text(JSON.stringify(good));
    case 'garbage-base64':
      return text(JSON.stringify({ ...good, signature: `${JSON.stringify(m.value)}!!not base64==` }));
    case 'other-bytes':
      return signatureOf(text(`other bytes ${JSON.stringify(m.value)}`));
    case 'not-json':
      return text(`signature: ${JSON.stringify(m.value)}`);
    case 'empty':
      return new Uint8Array(0);
    case 'binary':
      return new Uint8Array([0xff, 0xfe, 0, 1, 2, 3, 0x80]);
    case 'huge':
      return text(JSON.stringify({ ...good, signature: 'A'.repeat(2 * 1024 * 1024) }));
  }
}

function addEntries(entries: WorkEntry[], what: Extract<Mutation, { kind: 'add' }>['what']): void {
  switch (what) {
    case 'bomb-lying': {
      const { payload, crc } = bombPayload();
      entries.push({ path: 'padding.bin', name: 'padding.bin', data: new Uint8Array(0), payload, crc32: crc, uncompressedSize: 1000, compressedSize: payload.length });
      break;
    }
    case 'bomb-honest': {
      const { payload, crc } = bombPayload();
      entries.push({ path: 'padding.bin', name: 'padding.bin', data: new Uint8Array(0), payload, crc32: crc, uncompressedSize: BOMB_SIZE, compressedSize: payload.length });
      break;
    }
    case 'bomb-many': {
      const { payload, crc } = bombPayload();
      for (let k = 0; k < 6; k++) entries.push({ path: `pad${k}.bin`, name: `pad${k}.bin`, data: new Uint8Array(0), payload, crc32: crc, uncompressedSize: BOMB_SIZE, compressedSize: payload.length });
      break;
    }
    case 'many-entries':
      for (let k = 0; k < 10_001; k++) entries.push({ path: `many/${k}`, name: `many/${k}`, data: new Uint8Array([k & 0xff]), method: 0 });
      break;
    case 'deep-path':
      entries.push({ path: `${'d/'.repeat(2000)}deep.bin`, name: `${'d/'.repeat(2000)}deep.bin`, data: text('deep') });
      break;
    case 'nested-zip': {
      let inner = craftZip([{ name: 'fieldflash.json', data: text('{"format": "fieldflash"}') }]);
      for (let k = 0; k < 20; k++) inner = craftZip([{ name: `level${k}.zip`, data: inner, method: 0 }]);
      entries.push({ path: 'nested.zip', name: 'nested.zip', data: inner });
      break;
    }
    case 'empty-file':
      entries.push({ path: 'empty.bin', name: 'empty.bin', data: new Uint8Array(0) });
      break;
    case 'folder-entry':
      entries.push({ path: 'folder/', name: 'folder/', data: new Uint8Array(0), method: 0 });
      break;
  }
}

function fixDigests(entries: WorkEntry[], originals: readonly Entry[]): void {
  const changed = new Map(entries.filter((e) => !originals.some((o) => o.path === e.path && o.data === e.data)).map((e) => [e.path, e.data]));
  if (changed.size === 0) return;
  for (const m of entries.filter((e) => /\.json$/.test(e.path))) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(m.data));
    } catch {
      continue;
    }
    let touched = false;
    const walk = (v: unknown, depth = 0) => {
      if (v === null || typeof v !== 'object' || depth > 64) return;
      const o = v as Record<string, unknown>;
      const data = typeof o.path === 'string' ? changed.get(o.path) : undefined;
      if (data) {
        touched = true;
        if ('sha256' in o) o.sha256 = createHash('sha256').update(data).digest('hex');
        if ('size' in o) o.size = data.length;
      }
      for (const inner of Object.values(o)) walk(inner, depth + 1);
    };
    walk(json);
    if (!touched) continue;
    try {
      m.data = text(JSON.stringify(json, null, 2));
    } catch {
      continue; // nested too deep to write again: left as it is
    }
    m.payload = undefined;
  }
}

/** What the case gives readBundle, and the bytes each path must have if a release with it is accepted. */
export interface BuiltInput {
  input: BundleInput;
  container: Container;
  /** Path → the bytes the bundle holds under it (undefined when two entries share the path). */
  contents: Map<string, Uint8Array | undefined>;
  label: string;
}

export function buildInput(seeds: readonly Seed[], c: BundleCase): BuiltInput {
  const seed = seeds[c.seed % seeds.length]!;
  const container = seed.containers[c.container % seed.containers.length]!;
  const entries: WorkEntry[] = seed.entries.map((e) => ({ path: e.path, name: e.path, data: e.data }));
  const pick = (n: number) => entries[n % Math.max(1, entries.length)];
  for (const m of c.mutations) {
    const e = 'entry' in m ? pick(m.entry) : undefined;
    switch (m.kind) {
      case 'flip':
        if (e && e.data.length > 0) {
          e.data = e.data.slice();
          e.data[m.at % e.data.length]! ^= m.xor;
          e.payload = undefined;
        }
        break;
      case 'truncate':
        if (e) e.data = e.data.subarray(0, m.keep % (e.data.length + 1));
        break;
      case 'extend':
        if (e) e.data = new Uint8Array([...e.data, ...m.bytes]);
        break;
      case 'rename':
        if (e) e.path = e.name = m.name;
        break;
      case 'duplicate':
        if (e) {
          const path = m.variant === 'other-case' ? e.path.toUpperCase() : e.path;
          entries.push({ path, name: path, data: m.variant === 'other-data' ? text('another file of the same name') : e.data });
        }
        break;
      case 'drop':
        if (e) entries.splice(entries.indexOf(e), 1);
        break;
      case 'zip-lie':
        if (e) {
          if (m.lie === 'crc') e.crc32 = m.value >>> 0;
          if (m.lie === 'usize') e.uncompressedSize = m.value >>> 0;
          if (m.lie === 'csize') e.compressedSize = m.value >>> 0;
          if (m.lie === 'local-usize') e.localUncompressedSize = m.value >>> 0;
          if (m.lie === 'stored-as-deflate') e.payload = e.data; // stored bytes, but the header says deflate
          if (m.lie === 'unknown-method') e.method = (m.value % 2 === 0 ? 99 : 12) as 0;
        }
        break;
      case 'add':
        addEntries(entries, m.what);
        break;
      case 'esp-header': {
        const images = entries.filter((x) => x.data[0] === 0xe9 && x.data.length >= 32);
        const img = images[m.entry % Math.max(1, images.length)];
        if (img) img.data = mutateEspHeader(img.data, m);
        break;
      }
      case 'manifest': {
        const manifests = entries.filter((x) => isManifest(x.path));
        const target = manifests[m.node % Math.max(1, manifests.length)];
        if (target) target.data = text(mutateJson(new TextDecoder().decode(target.data), m));
        break;
      }
      case 'signature': {
        const manifest = entries.find((x) => isManifest(x.path));
        if (!manifest) break;
        const sig = `${manifest.path}.sig`;
        const data = signatureText(manifest.data, m);
        const existing = entries.find((x) => x.path === sig);
        if (existing) existing.data = data;
        else entries.push({ path: sig, name: sig, data });
        break;
      }
    }
  }
  if (c.fixDigests) fixDigests(entries, seed.entries);
  const contents = new Map<string, Uint8Array | undefined>();
  // A bomb's bytes are its deflated zeros, not `data`: its content is not checked byte for byte.
  for (const e of entries) if (!(e.payload && e.data.length === 0)) contents.set(e.path, contents.has(e.path) ? undefined : e.data);
  const label = `${seed.name} as ${container}: ${c.mutations.map((m) => m.kind + ('edit' in m ? `/${m.edit}` : 'field' in m ? `/${m.field}` : 'what' in m ? `/${m.what}` : 'lie' in m ? `/${m.lie}` : 'variant' in m ? `/${m.variant}` : '')).join(', ')}`;

  if (container === 'folder') {
    return { container, contents, label, input: { name: 'release', files: entries.filter((e) => !e.payload || e.data.length > 0).map((e) => ({ path: e.path, data: new Blob([e.data as BlobPart]) })) } };
  }
  if (container === 'single' && entries.length > 0) {
    const only = entries[0]!;
    return { container, contents: new Map([[only.path.split('/').pop() || 'firmware.bin', only.data]]), label, input: { name: only.path || 'firmware.bin', data: new Blob([only.data as BlobPart]) } };
  }
  let zip = craftZip(entries.map((e) => ({ ...e, payload: e.payload ?? ((e.method ?? 8) === 8 ? payloadOf(e) : undefined) })));
  const damage = c.zipDamage;
  if (damage) {
    zip = zip.slice();
    const view = new DataView(zip.buffer);
    const end = zip.length - 22;
    if (damage.eocd) {
      const at = { count: 10, 'cd-size': 12, 'cd-offset': 16, 'comment-length': 20 }[damage.eocd.field];
      if (at === 12 || at === 16) view.setUint32(end + at, damage.eocd.value >>> 0, true);
      else view.setUint16(end + at, damage.eocd.value & 0xffff, true);
    }
    for (const [at, xor] of damage.flips) zip[at % zip.length]! ^= xor;
    if (damage.prefix) zip = new Uint8Array([...new Uint8Array(damage.prefix).fill(0x4d), ...zip]);
    if (damage.cut !== undefined) zip = zip.subarray(0, damage.cut % (zip.length + 1));
  }
  return { container, contents, label: damage ? `${label}, zip damaged` : label, input: { name: 'release.zip', data: new Blob([zip as BlobPart]) } };
}
