// Turns a manifest's description into a verified Release: every named file present, sizes and digests
// as declared, images built for the chip they target, layouts that fit. Refuses with a BundleError otherwise.
import { BundleError } from './errors.ts';
import { bootloaderOffset, type ChipFamily } from './chip-family.ts';
import { checkLayout } from './layout-checks.ts';
import type { LoadedFile } from './loaded-file.ts';
import type { BundleFiles, DeclaredFile, DraftBuild, ReleaseDraft } from './release-draft.ts';
import { releaseId } from './release-id.ts';
import type { Build, FileRole, Release, ReleaseFile } from './release.ts';
import { appBuildTime, normaliseVersion } from './version.ts';
import { dirname } from './zip/entry-name.ts';

function toReleaseFile(file: LoadedFile, role: FileRole, digestDeclared: boolean): ReleaseFile {
  const out: ReleaseFile = { path: file.path, size: file.size, sha256: file.sha256, digestDeclared, role, data: file.data };
  if (file.image) out.image = file.image;
  if (file.partitionTable) out.partitionTable = file.partitionTable;
  if (file.embedded) out.embedded = file.embedded;
  return out;
}

function guessRole(file: LoadedFile, offset: number | undefined, family: ChipFamily | undefined): FileRole {
  if (file.partitionTable) return 'partition-table';
  if (file.image?.bootloader) return 'bootloader';
  if (file.image?.app) return 'app';
  if (file.image && family && offset === bootloaderOffset(family)) return 'bootloader';
  if (file.image) return 'app';
  if (/ota_?data|boot_app0/i.test(file.path)) return 'ota-data';
  if (file.embedded) return 'other';
  return 'data';
}

function checkDeclared(d: DeclaredFile, files: BundleFiles, manifest: string): LoadedFile {
  const file = files.get(d.path);
  if (!file) {
    const near = files.list.find((f) => f.path.toLowerCase() === d.path.toLowerCase() || f.path.endsWith(`/${d.path}`));
    throw new BundleError('missing-file', `${manifest}: "${d.field}" names ${d.path}, but the bundle has no such file${near ? ` (it has ${near.path})` : ''}.`, {
      file: d.path,
      field: d.field,
      hint: 'Import the complete release: the whole zip, or the whole folder with every file the manifest lists.',
    });
  }
  if (d.size !== undefined && d.size !== file.size) {
    throw new BundleError('size-mismatch', `${d.path} has ${file.size} bytes, but ${manifest} declares ${d.size}.`, {
      file: d.path,
      field: d.field,
      hint: 'The file is not the one the manifest was written for. Fetch the release again, or ask its publisher.',
    });
  }
  if (d.sha256 !== undefined && d.sha256 !== file.sha256) {
    throw new BundleError('digest-mismatch', `${d.path} does not match the SHA-256 in ${manifest} (expected ${d.sha256}, got ${file.sha256}).`, {
      file: d.path,
      field: d.field,
      hint: 'The file was changed or damaged after the release was made. Do not flash it; fetch the release again.',
    });
  }
  return file;
}

/** Refuses images built for another chip, and images that are damaged (bad checksum, hash or table). */
function checkBuildFiles(build: DraftBuild, files: BundleFiles, manifest: string): void {
  const family = build.target.chipFamily;
  const paths = new Set<string>([...(build.flash?.parts.map((p) => p.path) ?? [])]);
  if (build.ota?.kind === 'either') paths.add(build.ota.image);
  if (build.ota?.kind === 'per-slot') [build.ota.slot0, build.ota.slot1].forEach((p) => paths.add(p));
  for (const path of paths) {
    const file = files.get(path);
    if (!file) continue;
    const broken = (why: string) =>
      new BundleError('invalid-image', `${path} is damaged: ${why}.`, { file: path, hint: 'Do not flash it. Fetch the release again, or ask its publisher for a new build.' });
    if (file.partitionTableProblem) throw broken(`it starts like a partition table, but ${file.partitionTableProblem}`);
    if (file.partitionTable?.md5Valid === false) throw broken('the MD5 of its partition table does not match');
    // ESP8266 images carry no chip id and a different header; they are not inspected.
    if (family === 'ESP8266') continue;
    const images = [file.image, ...(file.embedded ?? []).map((e) => e.image)].filter((i) => i !== undefined);
    if (file.imageProblem && images.length === 0) throw broken(`it starts like an ESP image, but ${file.imageProblem}`);
    for (const image of images) {
      if (image.chipFamily !== family) {
        const actual = image.chipFamily ?? `an unknown chip (image chip id ${image.chipId})`;
        throw new BundleError('chip-mismatch', `${path} is built for ${actual}, but ${manifest} lists it for ${family} (${build.field}).`, {
          file: path,
          field: `${build.field}.chipFamily`,
          hint: `Flashing it would not boot. Use the build made for ${family}, or correct the chip family in the manifest.`,
        });
      }
      if (!image.checksumValid) throw broken('its image checksum does not match its contents');
      if (image.appendedHashValid === false) throw broken('the SHA-256 appended to the image does not match its contents');
    }
  }
}

export async function assembleRelease(draft: ReleaseDraft, files: BundleFiles, sourceName: string, extras: readonly LoadedFile[], onVerified?: () => void): Promise<Release> {
  const manifest = draft.manifestPath ?? sourceName;
  const notes = [...draft.notes];
  const releaseFiles: ReleaseFile[] = [];
  const claimed = new Set<string>();
  const manifestFile = draft.manifestPath ? files.get(draft.manifestPath) : undefined;
  if (manifestFile) {
    releaseFiles.push(toReleaseFile(manifestFile, 'manifest', false));
    claimed.add(manifestFile.path);
  }
  const firstFamily = draft.builds[0]?.target.chipFamily;
  for (const d of draft.files) {
    const file = checkDeclared(d, files, manifest);
    const offset = draft.builds.flatMap((b) => b.flash?.parts ?? []).find((p) => p.path === d.path)?.offset;
    releaseFiles.push(toReleaseFile(file, d.role ?? guessRole(file, offset, firstFamily), d.sha256 !== undefined));
    claimed.add(file.path);
    onVerified?.();
  }
  const byPath = new Map(releaseFiles.map((f) => [f.path, files.get(f.path)!]));
  const builds: Build[] = draft.builds.map((b) => {
    checkBuildFiles(b, files, manifest);
    if (b.flash) checkLayout(b.flash, byPath, manifest, notes);
    const build: Build = { target: b.target };
    if (b.flash) build.flash = b.flash;
    if (b.ota) build.ota = b.ota;
    if (b.sourceTree) build.sourceTree = b.sourceTree;
    return build;
  });

  const app = releaseFiles.map((f) => f.image?.app ?? f.embedded?.find((e) => e.image?.app)?.image?.app).find((a) => a !== undefined);
  let declaredVersion = draft.declaredVersion;
  let versionSource = draft.versionSource;
  if (!declaredVersion && app) {
    declaredVersion = app.version;
    versionSource = 'the app description';
    notes.push({ level: 'info', message: `${manifest} gives no version; FieldFlash took "${app.version}" from the app image.` });
  }
  const builtAt = app ? appBuildTime(app) : undefined;
  const normalised = normaliseVersion(declaredVersion, versionSource, builtAt);
  if (!normalised) {
    throw new BundleError('invalid-manifest', `${manifest} gives no version, and no app image in the release carries one.`, {
      file: manifest,
      field: 'version',
      hint: 'Give the release a version, preferably SemVer such as "1.4.0".',
    });
  }
  if (normalised.note) notes.push(normalised.note);

  let securityVersion = draft.securityVersion;
  const secureVersions = new Set(releaseFiles.map((f) => f.image?.app?.secureVersion).filter((v) => v !== undefined));
  if (securityVersion === undefined && secureVersions.size === 1) securityVersion = [...secureVersions][0];
  else if (securityVersion !== undefined && [...secureVersions].some((v) => v !== securityVersion)) {
    notes.push({ level: 'warning', message: `${manifest} declares security version ${securityVersion}, but the app images say ${[...secureVersions].join(', ')}.` });
  }

  const idFiles = releaseFiles.filter((f) => claimed.has(f.path));
  // The signature and unclaimed files travel with the release but do not change its identity.
  const signatureFile = draft.signature ? files.get(draft.signature.path) : undefined;
  if (signatureFile) releaseFiles.push(toReleaseFile(signatureFile, 'signature', false));
  for (const extra of extras) {
    if (!releaseFiles.some((f) => f.path === extra.path)) releaseFiles.push(toReleaseFile(extra, 'other', false));
  }
  const release: Release = {
    id: await releaseId(draft.product, normalised.version, idFiles, draft.manifestPath ? dirname(draft.manifestPath) : (draft.baseFolder ?? '')),
    format: draft.format,
    product: draft.product,
    version: normalised.version,
    declaredVersion,
    builds,
    files: releaseFiles,
    notes,
    sourceName,
  };
  if (normalised.order) release.versionOrder = normalised.order;
  if (builtAt !== undefined) release.builtAt = builtAt;
  if (draft.sequence !== undefined) release.sequence = draft.sequence;
  if (securityVersion !== undefined) release.securityVersion = securityVersion;
  if (draft.appliesTo !== undefined) release.appliesTo = draft.appliesTo;
  if (draft.signature) release.signature = draft.signature;
  if (draft.manifestPath) release.manifestPath = draft.manifestPath;
  return release;
}
