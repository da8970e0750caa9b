// A FieldFlash release made from a spec: the manifest written with every file's size and SHA-256, signed if a key
// is given, then read back through the importer the app uses, and zipped from what it read. What cannot be imported
// is never written.
import { NATIVE_MANIFEST_NAME, readBundle, writeBundleZip, writeNativeManifest, type NativeReleaseSpec, type Release, type SigningKey } from '@fieldflash/bundle';
import { CliProblem } from './problem.ts';
import { signatureText } from './signature-text.ts';

export interface PackedRelease {
  release: Release;
  zip: Uint8Array;
}

async function readBack(spec: NativeReleaseSpec, name: string, key: SigningKey | undefined): Promise<Release> {
  const manifest = new TextEncoder().encode(await writeNativeManifest(spec));
  const folder = [{ path: NATIVE_MANIFEST_NAME, data: new Blob([manifest]) }];
  if (key) folder.push({ path: `${NATIVE_MANIFEST_NAME}.sig`, data: new Blob([await signatureText(manifest, key)]) });
  folder.push(...spec.files.map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) })));
  const releases = await readBundle({ name, files: folder });
  if (releases.length !== 1 || releases[0]!.format !== 'fieldflash') {
    throw new CliProblem(`The packed files read as ${releases.length} releases (${releases.map((r) => r.format).join(', ')}), not one FieldFlash release.`, 'Leave other manifests (manifest.json, flasher_args.json) out of the packed files.');
  }
  return releases[0]!;
}

/**
 * Packs `spec` into a zip named `name`. Files the spec gives no role are declared with the role FieldFlash reads
 * from their bytes (bootloader, partition table, app…), so the manifest says what each file is.
 */
export async function packRelease(spec: NativeReleaseSpec, name: string, key?: SigningKey): Promise<PackedRelease> {
  let final = spec;
  if (spec.files.some((f) => !f.role)) {
    const draft = await readBack(spec, name, undefined);
    const roleOf = (path: string) => draft.files.find((f) => f.path === path)?.role;
    final = {
      ...spec,
      files: spec.files.map((f) => {
        const role = f.role ?? roleOf(f.path);
        return role && role !== 'manifest' && role !== 'signature' ? { ...f, role } : f;
      }),
    };
  }
  const release = await readBack(final, name, key);
  return { release, zip: new Uint8Array(await (await writeBundleZip(release)).arrayBuffer()) };
}
