// What a manifest reader hands on: the release as its manifest describes it, before any byte is checked.
import type { LoadedFile } from './loaded-file.ts';
import type { FileRole, FlashLayout, ReleaseNote, SlotImages, SourceFormat, SourceTree, Target, DetachedSignature } from './release.ts';

export interface DeclaredFile {
  /** Bundle path, resolved against the manifest's folder. */
  path: string;
  /** The manifest field that names the file, for errors. */
  field: string;
  role?: FileRole;
  size?: number;
  sha256?: string;
}

export interface DraftBuild {
  target: Target;
  flash?: FlashLayout;
  ota?: SlotImages;
  sourceTree?: SourceTree;
  /** Where the build sits in the manifest ("builds[1]"), for errors. */
  field: string;
}

export interface ReleaseDraft {
  format: SourceFormat;
  manifestPath?: string;
  product: string;
  declaredVersion: string;
  /** Where the version came from, for notes ("manifest.json", "the app description of app.bin"). */
  versionSource: string;
  sequence?: number;
  securityVersion?: number;
  /** SemVer range of device versions the release applies to (Release.appliesTo). */
  appliesTo?: string;
  builds: DraftBuild[];
  files: DeclaredFile[];
  notes: ReleaseNote[];
  signature?: DetachedSignature;
  /**
   * Without a manifest: the folder the release's paths are relative to, for its id ("blink/" when a zip holds the
   * folder blink/), so that the same files give the same id from a zip, a folder or a re-export.
   */
  baseFolder?: string;
  /** Files of the bundle that are not part of the release and are not kept (a source tree's folder around its src/). */
  excluded?: string[];
}

/** The files of a bundle by path, as manifest readers see them. */
export class BundleFiles {
  readonly byPath: ReadonlyMap<string, LoadedFile>;
  constructor(readonly list: readonly LoadedFile[]) {
    this.byPath = new Map(list.map((f) => [f.path, f]));
  }
  get(path: string): LoadedFile | undefined {
    return this.byPath.get(path);
  }
}

/** Adds a file to the draft once, keeping the first field that named it. */
export function declare(files: DeclaredFile[], file: DeclaredFile): void {
  const existing = files.find((f) => f.path === file.path);
  if (!existing) files.push(file);
  else {
    existing.role ??= file.role;
    existing.size ??= file.size;
    existing.sha256 ??= file.sha256;
  }
}
