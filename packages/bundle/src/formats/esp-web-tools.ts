// ESP Web Tools manifest.json: { name, version, new_install_prompt_erase?, builds: [{ chipFamily, parts: [{ path, offset }] }] }.
import { asArray, asChipFamily, asObject, asOffset, asString, invalid, optionalString, type Json } from '../manifest-fields.ts';
import { resolveManifestPath } from '../zip/entry-name.ts';
import { declare, type BundleFiles, type DeclaredFile, type DraftBuild, type ReleaseDraft } from '../release-draft.ts';

export function isEspWebToolsManifest(json: Json): boolean {
  return Array.isArray(json.builds);
}

export function readEspWebToolsManifest(json: Json, manifestPath: string, files: BundleFiles): ReleaseDraft {
  const file = manifestPath;
  const product = asString(json.name, file, 'name');
  const promptErase = json.new_install_prompt_erase;
  if (promptErase !== undefined && typeof promptErase !== 'boolean') {
    throw invalid(file, 'new_install_prompt_erase', 'must be true or false', promptErase);
  }
  const declared: DeclaredFile[] = [];
  const builds: DraftBuild[] = asArray(json.builds, file, 'builds', { nonEmpty: true }).map((rawBuild, b) => {
    const field = `builds[${b}]`;
    const build = asObject(rawBuild, file, field);
    const chipFamily = asChipFamily(build.chipFamily, file, `${field}.chipFamily`);
    const parts = asArray(build.parts, file, `${field}.parts`, { nonEmpty: true }).map((rawPart, p) => {
      const partField = `${field}.parts[${p}]`;
      const part = asObject(rawPart, file, partField);
      const path = resolveManifestPath(manifestPath, asString(part.path, file, `${partField}.path`), `${partField}.path`);
      const offset = asOffset(part.offset, file, `${partField}.offset`);
      declare(declared, { path, field: `${partField}.path` });
      return { path, offset, origin: { from: 'manifest' as const, manifest: manifestPath, field: `${partField}.offset` } };
    });
    const result: DraftBuild = {
      target: { chipFamily },
      // ESP Web Tools erases the whole chip on a new install unless the manifest lets the person choose.
      flash: { parts, erase: promptErase === true ? 'parts' : 'all', ...(promptErase === true ? { erasePrompt: true } : {}) },
      field,
    };
    // An ESP-IDF app image runs from either OTA slot, so the app part of a split build doubles as the OTA image.
    const apps = parts.filter((p) => files.get(p.path)?.image?.app);
    if (apps.length === 1) result.ota = { kind: 'either', image: apps[0]!.path };
    return result;
  });
  const version = optionalString(json.version, file, 'version');
  return {
    format: 'esp-web-tools',
    manifestPath,
    product,
    declaredVersion: version ?? '',
    versionSource: manifestPath,
    builds,
    files: declared,
    notes: [],
  };
}
