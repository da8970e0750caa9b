// ESP-IDF's build/flasher_args.json: flash_files maps offsets to paths; bootloader, app, partition-table and
// otadata entries say which file is which; extra_esptool_args.chip names the chip. Product and version come
// from the app image's description, as the build wrote them.
import { asChipFamily, asObject, asOffset, asString, invalid, isObject, parseFlashSize, type Json } from '../manifest-fields.ts';
import { resolveManifestPath } from '../zip/entry-name.ts';
import { declare, type BundleFiles, type DeclaredFile, type ReleaseDraft } from '../release-draft.ts';
import type { FileRole, FlashLayout, FlashPart } from '../release.ts';

const ROLE_SECTIONS: Array<[string, FileRole]> = [
  ['bootloader', 'bootloader'],
  ['partition-table', 'partition-table'],
  ['partition_table', 'partition-table'],
  ['app', 'app'],
  ['otadata', 'ota-data'],
];

export function isFlasherArgs(json: Json): boolean {
  return isObject(json.flash_files);
}

export function readFlasherArgs(json: Json, manifestPath: string, files: BundleFiles): ReleaseDraft {
  const file = manifestPath;
  const flashFiles = asObject(json.flash_files, file, 'flash_files');
  const declared: DeclaredFile[] = [];
  const parts: FlashPart[] = Object.entries(flashFiles).map(([rawOffset, rawPath]) => {
    const field = `flash_files.${rawOffset}`;
    const offset = asOffset(rawOffset, file, field);
    const path = resolveManifestPath(manifestPath, asString(rawPath, file, field), field);
    declare(declared, { path, field });
    return { path, offset, origin: { from: 'manifest' as const, manifest: manifestPath, field } };
  });
  if (parts.length === 0) throw invalid(file, 'flash_files', 'lists no file to flash', json.flash_files);
  for (const [section, role] of ROLE_SECTIONS) {
    if (!isObject(json[section]) || typeof json[section].file !== 'string') continue;
    const path = resolveManifestPath(manifestPath, json[section].file, `${section}.file`);
    const entry = declared.find((d) => d.path === path);
    if (entry) entry.role = role;
  }
  const appPath = declared.find((d) => d.role === 'app')?.path ?? parts.find((p) => files.get(p.path)?.image?.app)?.path;
  const app = appPath ? files.get(appPath)?.image?.app : undefined;

  const esptoolArgs = isObject(json.extra_esptool_args) ? json.extra_esptool_args : {};
  const chipFamily = asChipFamily(esptoolArgs.chip, file, 'extra_esptool_args.chip');
  const settings = isObject(json.flash_settings) ? json.flash_settings : {};
  const flash: FlashLayout = { parts, erase: 'parts' };
  const flashSize = parseFlashSize(settings.flash_size);
  if (flashSize !== undefined) flash.flashSize = flashSize;
  if (typeof settings.flash_mode === 'string' && /^(qio|qout|dio|dout|keep)$/.test(settings.flash_mode)) {
    flash.flashMode = settings.flash_mode as FlashLayout['flashMode'];
  }
  if (typeof settings.flash_freq === 'string') flash.flashFreq = settings.flash_freq;

  if (!app || !appPath) {
    throw invalid(file, 'app.file', 'does not lead to an ESP-IDF app image, so FieldFlash cannot tell the product and version', json.app, 'Zip the whole build folder, including the app .bin that flasher_args.json names.');
  }
  return {
    format: 'esp-idf-flasher-args',
    manifestPath,
    product: app.projectName,
    declaredVersion: app.version,
    versionSource: `the app description in ${appPath}`,
    securityVersion: app.secureVersion,
    builds: [{ target: { chipFamily }, flash, ota: { kind: 'either', image: appPath }, field: 'flash_files' }],
    files: declared,
    notes: [{ level: 'info', message: `${file} is an ESP-IDF build description; product "${app.projectName}" and version come from ${appPath}.` }],
  };
}
