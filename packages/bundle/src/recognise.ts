// Finds the manifests in a bundle by what they contain, not by their names, and hands each to its reader.
import { BundleError } from './errors.ts';
import { readBareImage } from './formats/bare-image.ts';
import { readEspIdfBuild } from './formats/esp-idf-build.ts';
import { isEspWebToolsManifest, readEspWebToolsManifest } from './formats/esp-web-tools.ts';
import { isNativeManifest, readNativeManifest } from './formats/fieldflash.ts';
import { isFlasherArgs, readFlasherArgs } from './formats/flasher-args.ts';
import { isRiotJson, isRiotKeyValueText, parseKeyValues, readRiotManifest } from './formats/riot-ota.ts';
import { readSignature, SIGNATURE_FORMAT } from './formats/signature.ts';
import { readBareSourceTree } from './formats/source-tree-folder.ts';
import { isObject, parseJson } from './manifest-fields.ts';
import type { BundleFiles, ReleaseDraft } from './release-draft.ts';

export function recogniseManifests(files: BundleFiles, bundleName: string): ReleaseDraft[] {
  const drafts: ReleaseDraft[] = [];
  for (const file of files.list) {
    if (file.text === undefined) continue;
    const text = file.text.replace(/^\uFEFF/, '').trimStart();
    let draft: ReleaseDraft | undefined;
    if (text.startsWith('{')) {
      let json: unknown;
      try {
        json = parseJson(text, file.path);
      } catch (err) {
        // A broken .json file may be a broken manifest: refuse rather than import half a bundle.
        if (/\.json$/i.test(file.path)) throw err;
        continue;
      }
      if (!isObject(json) || json.format === SIGNATURE_FORMAT) continue;
      if (isNativeManifest(json)) draft = readNativeManifest(json, file.path);
      else if (isEspWebToolsManifest(json)) draft = readEspWebToolsManifest(json, file.path, files);
      else if (isFlasherArgs(json)) draft = readFlasherArgs(json, file.path, files);
      else if (isRiotJson(json)) draft = readRiotManifest(json, file.path, files);
    } else if (isRiotKeyValueText(text)) {
      draft = readRiotManifest(parseKeyValues(text), file.path, files);
    }
    if (!draft) continue;
    const signature = files.get(`${file.path}.sig`);
    if (signature) draft.signature = readSignature(signature);
    drafts.push(draft);
  }
  if (drafts.length > 0) return drafts;

  // A MicroPython project's main.py (or src/main.py) says what the bundle is before any image in it does.
  const tree = readBareSourceTree(files, bundleName);
  if (tree) return [tree];
  const candidates = files.list;
  const idfBuild = readEspIdfBuild(candidates, bundleName);
  if (idfBuild) return [idfBuild];
  const images = candidates.filter((f) => f.image?.app || f.embedded?.some((e) => e.image?.app));
  if (images.length === 1) {
    const draft = readBareImage(images[0]!);
    if (draft) return [draft];
  }
  const lone = files.list.length === 1 ? files.list[0] : undefined;
  if (lone?.image && !lone.image.app) {
    throw new BundleError('no-manifest', `${lone.path} is an ESP image without an app description (a bootloader or a non-ESP-IDF build), so FieldFlash cannot tell what it is.`, {
      file: lone.path,
      hint: 'Import it together with a manifest (FieldFlash fieldflash.json or ESP Web Tools manifest.json) that names its offset.',
    });
  }
  if (lone?.imageProblem) {
    throw new BundleError('invalid-image', `${lone.path} starts like an ESP image, but ${lone.imageProblem}.`, {
      file: lone.path,
      hint: 'The file is damaged or is not ESP firmware. Fetch it again.',
    });
  }
  const what = images.length > 1 ? `${images.length} app images but no manifest saying which is which` : 'no manifest FieldFlash recognises';
  throw new BundleError('no-manifest', `${files.list.length === 1 ? files.list[0]!.path : 'The bundle'} holds ${what}.`, {
    file: files.list.length === 1 ? files.list[0]!.path : undefined,
    hint: 'FieldFlash reads fieldflash.json, ESP Web Tools manifest.json, ESP-IDF flasher_args.json, RIOT slot0/slot1 manifests, a single ESP app .bin, or a MicroPython folder with main.py or src/main.py.',
  });
}
