// RIOT-style OTA releases: a manifest naming the application, its version and two slot binaries, as RIOT's
// ota-server publishes them (one image linked for slot0, one for slot1). RIOT has no single manifest
// format outside SUIT, so FieldFlash reads the plain forms documented in docs/bundle-format.md:
//   JSON:      { "app": "blinky", "version": "1.2.0", "chip": "ESP32", "slot0": "blinky-slot0.bin", "slot1": {...} }
//   key=value: APP=blinky / VERSION=1700000000 / CHIP=ESP32 / SLOT0=blinky-slot0.bin / SLOT1=blinky-slot1.bin
import { BundleError } from '../errors.ts';
import { asChipFamily, asInteger, asObject, asSha256, asString, invalid, isObject, type Json } from '../manifest-fields.ts';
import { resolveManifestPath } from '../zip/entry-name.ts';
import type { BundleFiles, DeclaredFile, ReleaseDraft } from '../release-draft.ts';
import type { ReleaseNote, Target } from '../release.ts';

const RIOTBOOT_MAGIC = 0x544f4952; // "RIOT"

const ALIASES: Record<string, string> = {
  app: 'app', application: 'app', name: 'app', product: 'app',
  version: 'version', app_ver: 'version',
  sequence: 'sequence', seqnr: 'sequence', seq_nr: 'sequence',
  board: 'board',
  chip: 'chip', chip_family: 'chip', chipfamily: 'chip', cpu: 'chip',
  slot0: 'slot0', slot1: 'slot1',
  slot0_sha256: 'slot0_sha256', slot1_sha256: 'slot1_sha256',
  slot0_size: 'slot0_size', slot1_size: 'slot1_size',
};

/** Reads key=value lines ("#" starts a comment; ":" works as well as "="); keys are case-insensitive. */
export function parseKeyValues(text: string): Json {
  const out: Json = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_]+)\s*[=:]\s*(.*?)\s*$/.exec(line.replace(/\s#.*$|^\s*#.*$/, ''));
    if (!m) continue;
    out[m[1]!.toLowerCase()] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export function isRiotKeyValueText(text: string): boolean {
  return /^\s*slot0\s*[=:]/im.test(text) && /^\s*slot1\s*[=:]/im.test(text);
}

export function isRiotJson(json: Json): boolean {
  return 'slot0' in json && 'slot1' in json;
}

/** key=value manifests carry numbers as text. */
function wholeNumber(value: unknown): unknown {
  return typeof value === 'string' && /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : value;
}

function normaliseKeys(raw: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    const canonical = ALIASES[key.toLowerCase()];
    if (canonical && !(canonical in out)) out[canonical] = value;
  }
  return out;
}

export function readRiotManifest(raw: Json, manifestPath: string, files: BundleFiles): ReleaseDraft {
  const file = manifestPath;
  const m = normaliseKeys(raw);
  const notes: ReleaseNote[] = [];
  const product = asString(m.app, file, 'app');
  const version = typeof m.version === 'number' ? String(m.version) : asString(m.version, file, 'version');
  const declared: DeclaredFile[] = [];
  const slots = (['slot0', 'slot1'] as const).map((slot) => {
    const value = m[slot];
    const entry = isObject(value) ? asObject(value, file, slot) : { path: value };
    const field = isObject(value) ? `${slot}.path` : slot;
    const path = resolveManifestPath(manifestPath, asString(entry.path, file, field), field);
    const d: DeclaredFile = { path, field, role: 'app' };
    const sha = entry.sha256 ?? m[`${slot}_sha256`];
    if (sha !== undefined) d.sha256 = asSha256(sha, file, isObject(value) ? `${slot}.sha256` : `${slot}_sha256`);
    const size = entry.size ?? m[`${slot}_size`];
    if (size !== undefined) d.size = asInteger(wholeNumber(size), file, isObject(value) ? `${slot}.size` : `${slot}_size`);
    declared.push(d);
    return path;
  });
  if (slots[0] === slots[1]) throw invalid(file, 'slot1', 'names the same file as slot0; a RIOT release has one image per slot', slots[1]);

  let chip = m.chip;
  if (chip === undefined) {
    chip = files.get(slots[0]!)?.image?.chipFamily;
    if (chip === undefined) {
      throw new BundleError('unknown-chip-family', `${file} does not say which chip family the release is for, and ${slots[0]} carries no ESP chip id.`, {
        file,
        field: 'chip',
        hint: 'Add a line such as CHIP=ESP32 (or "chip": "ESP32") to the manifest.',
      });
    }
    notes.push({ level: 'info', message: `Chip family ${String(chip)} read from the image header of ${slots[0]}.` });
  }
  const target: Target = { chipFamily: asChipFamily(chip, file, 'chip') };
  if (typeof m.board === 'string' && m.board.trim()) target.board = m.board.trim();

  let sequence = m.sequence === undefined ? undefined : asInteger(wholeNumber(m.sequence), file, 'sequence');
  // RIOT's APP_VER is a plain increasing number (often a Unix time): it is the sequence number.
  if (sequence === undefined && /^[0-9]+$/.test(version)) sequence = Number(version);
  for (const path of slots) {
    const head = files.get(path)?.head;
    if (!head || head.length < 16) continue;
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (v.getUint32(0, true) !== RIOTBOOT_MAGIC) continue;
    const headerVersion = v.getUint32(4, true);
    if (sequence !== undefined && headerVersion !== sequence) {
      notes.push({ level: 'warning', message: `${path} carries riotboot version ${headerVersion}, but ${file} says ${sequence}.` });
    }
  }
  const draft: ReleaseDraft = {
    format: 'riot-ota',
    manifestPath,
    product,
    declaredVersion: version,
    versionSource: manifestPath,
    builds: [{ target, ota: { kind: 'per-slot', slot0: slots[0]!, slot1: slots[1]! }, field: 'slot0' }],
    files: declared,
    notes,
  };
  if (sequence !== undefined) draft.sequence = sequence;
  return draft;
}
