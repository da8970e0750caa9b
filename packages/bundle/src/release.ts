// The one in-memory Release model, whatever the bundle's source format.
import type { ChipFamily } from './chip-family.ts';
import type { EspImageInfo } from './esp-image.ts';
import type { OffsetOrigin } from './offset-origin.ts';
import type { PartitionTable } from './partition-table.ts';

export type SourceFormat = 'fieldflash' | 'esp-web-tools' | 'esp-idf-flasher-args' | 'esp-idf-build' | 'riot-ota' | 'bare-image' | 'source-tree';

/** `source`: a file of a source tree (docs/bundle-format.md, "Source-tree releases"), installed as a file, not flashed. */
export type FileRole = 'bootloader' | 'partition-table' | 'app' | 'data' | 'ota-data' | 'source' | 'manifest' | 'signature' | 'other';

/** One file of a release, verified: its SHA-256 was computed, and matched the manifest where the manifest gave one. */
export interface ReleaseFile {
  /** Name inside the bundle, always relative and '/'-separated. */
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes, computed on import. */
  sha256: string;
  /** True when the manifest declared a digest (and it matched: a mismatch is refused on import). */
  digestDeclared: boolean;
  role: FileRole;
  /** Present for files that are ESP images. */
  image?: EspImageInfo;
  /** Present for files that are ESP-IDF partition tables. */
  partitionTable?: PartitionTable;
  /** For merged flash images (bootloader, partition table and app in one file): what sits where inside. */
  embedded?: EmbeddedPart[];
  data: Blob;
}

/** A part found inside a merged flash image, at an offset relative to the image's start. */
export interface EmbeddedPart {
  offset: number;
  role: 'bootloader' | 'partition-table' | 'app';
  image?: EspImageInfo;
  partitionTable?: PartitionTable;
}

/** A part of a first-install flash layout: a file written at an absolute flash offset. */
export interface FlashPart {
  path: string;
  offset: number;
  /** Where the offset came from (a manifest field, a header, the partition table…); absent in releases stored before it was recorded. */
  origin?: OffsetOrigin;
}

export type ErasePolicy = 'all' | 'parts';

export interface FlashLayout {
  parts: FlashPart[];
  /** 'all' erases the whole chip before writing (a first install); 'parts' erases only what is written. */
  erase: ErasePolicy;
  /** The publisher asks that the person flashing choose whether to erase everything first (ESP Web Tools' new_install_prompt_erase). */
  erasePrompt?: boolean;
  /** Flash size the layout needs, in bytes, when the manifest says so. */
  flashSize?: number;
  flashMode?: 'keep' | 'qio' | 'qout' | 'dio' | 'dout';
  flashFreq?: string;
}

/** Dual-slot OTA images: one per slot, or one position-independent image valid in either. */
export type SlotImages = { kind: 'per-slot'; slot0: string; slot1: string } | { kind: 'either'; image: string };

export interface Target {
  /** The chip the build is for. Absent only for a source tree that runs wherever its runtime runs. */
  chipFamily?: ChipFamily;
  board?: string;
  /** SemVer range of hardware revisions, e.g. ">=2.0.0 <4.0.0". */
  hardwareRevision?: string;
  /** The interpreter a source tree needs; present exactly when the build is a source tree. */
  runtime?: RuntimeRequirement;
}

export type RuntimeName = 'micropython';

export interface RuntimeRequirement {
  name: RuntimeName;
  /** Lowest runtime version the tree runs on (SemVer, "1.22.0"); absent: any. */
  minVersion?: string;
}

/**
 * An application that is a tree of files (MicroPython .py and .mpy), installed file by file into a directory on the
 * device, as the MicroPython OTA updater installs its src/ folder. Its files are the release's `source` files
 * under `root`; each lands on the device at its path relative to `root`.
 */
export interface SourceTree {
  /** The bundle folder holding the tree, without a trailing '/' ("" for the bundle's root). */
  root: string;
  /** The module the device starts: "main" is main.py (or main.mpy) at the tree's root. */
  entry: string;
  /** Device paths an update never writes or removes (a file, or a folder written with a trailing '/'). */
  deviceLocal: string[];
}

/** What one target gets: a first-install layout, OTA slot images, or both; or a source tree. */
export interface Build {
  target: Target;
  flash?: FlashLayout;
  ota?: SlotImages;
  /** Present for a source-tree build, which has neither `flash` nor `ota`. */
  sourceTree?: SourceTree;
}

export interface ReleaseNote {
  level: 'info' | 'warning';
  message: string;
}

/** Room for a detached signature; verified by the trust layer. */
export interface DetachedSignature {
  algorithm: string;
  keyId: string;
  /** Path of the signature file inside the bundle. */
  path: string;
}

export interface Release {
  /** Stable id: SHA-256 over product, version and the digests of every file. */
  id: string;
  format: SourceFormat;
  product: string;
  /**
   * SemVer 2.0, normalised from declaredVersion when that was not SemVer (see notes); the declared text itself
   * when no SemVer reading is honest (a bare git hash), and then `versionOrder` is 'build-time'.
   */
  version: string;
  declaredVersion: string;
  /** Present when `version` is not SemVer: the release is ordered by `builtAt` (compareReleasesNewestFirst). */
  versionOrder?: 'build-time';
  /** The app's build date and time from its app description, ISO 8601 local to the build machine ("2023-09-09T15:48:10"). */
  builtAt?: string;
  sequence?: number;
  securityVersion?: number;
  /**
   * Distribution policy (native manifests only): a SemVer range over the version a device runs now, e.g.
   * ">=1.2.0 <2.0.0"; a device outside it is not offered the release. Absent: any version.
   */
  appliesTo?: string;
  builds: Build[];
  files: ReleaseFile[];
  /** Everything the importer changed or wants a person to know (version normalised, chip id read from binary…). */
  notes: ReleaseNote[];
  signature?: DetachedSignature;
  /** Name of the manifest inside the bundle, if there was one. */
  manifestPath?: string;
  /** The dropped file's name. */
  sourceName: string;
}
