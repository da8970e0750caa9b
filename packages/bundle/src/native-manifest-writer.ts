// Writes a FieldFlash manifest (format v1) for a set of files, computing every size and SHA-256, so that
// tools and tests never hand-write digests.
import { sha256Hex } from './digest.ts';
import type { ChipFamily } from './chip-family.ts';
import type { ErasePolicy, FileRole } from './release.ts';
import { NATIVE_FORMAT, NATIVE_FORMAT_VERSION } from './formats/fieldflash.ts';

export interface NativeTargetSpec {
  /** Required for firmware images; optional for a source tree (which then runs on any chip). */
  chipFamily?: ChipFamily;
  board?: string;
  hardwareRevision?: string;
  ota?: { slot0: string; slot1: string } | { image: string };
  flash?: {
    parts: Array<{ path: string; offset: number }>;
    erase: ErasePolicy;
    flashSize?: string;
    flashMode?: 'keep' | 'qio' | 'qout' | 'dio' | 'dout';
    flashFreq?: string;
  };
  runtime?: { name: 'micropython'; minVersion?: string };
  sourceTree?: { root: string; entry?: string; deviceLocal?: string[] };
}

export interface NativeReleaseSpec {
  product: string;
  version: string;
  sequence: number;
  securityVersion: number;
  /** SemVer range of device versions the release applies to, e.g. ">=1.2.0 <2.0.0". */
  appliesTo?: string;
  releaseNotes?: string;
  targets: NativeTargetSpec[];
  files: Array<{ path: string; data: Uint8Array; role?: Exclude<FileRole, 'manifest' | 'signature'> }>;
}

/** Returns the manifest's JSON text (two-space indented, offsets as hex text, files in the order given). */
export async function writeNativeManifest(spec: NativeReleaseSpec): Promise<string> {
  const files = await Promise.all(
    spec.files.map(async (f) => ({ path: f.path, size: f.data.length, sha256: await sha256Hex(f.data), ...(f.role ? { role: f.role } : {}) })),
  );
  const targets = spec.targets.map((t) => ({
    ...t,
    ...(t.flash ? { flash: { ...t.flash, parts: t.flash.parts.map((p) => ({ path: p.path, offset: `0x${p.offset.toString(16)}` })) } } : {}),
  }));
  const manifest = {
    format: NATIVE_FORMAT,
    formatVersion: NATIVE_FORMAT_VERSION,
    product: spec.product,
    version: spec.version,
    sequence: spec.sequence,
    securityVersion: spec.securityVersion,
    ...(spec.appliesTo ? { appliesTo: spec.appliesTo } : {}),
    ...(spec.releaseNotes ? { releaseNotes: spec.releaseNotes } : {}),
    targets,
    files,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
