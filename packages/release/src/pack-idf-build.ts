// pack from an ESP-IDF build/ folder: flasher_args.json says which file goes where and which is the bootloader,
// partition table, app and otadata; FieldFlash's own flasher_args reader reads it, exactly as when a technician
// drops the folder, and the release keeps the build's paths. Nothing else of build/ (ELF, maps, CMake) is read.
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { readBundle, type NativeTargetSpec } from '@fieldflash/bundle';
import { CliProblem } from './problem.ts';
import type { PackFile, PackPlan } from './pack-plan.ts';

const FLASHER_ARGS = 'flasher_args.json';
const MiB = 1024 * 1024;

function namedFiles(argsPath: string, text: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliProblem(`${argsPath} is not JSON (${(error as Error).message}).`, 'Build the project again with idf.py build; it rewrites flasher_args.json.');
  }
  const flashFiles = (json as { flash_files?: unknown } | null)?.flash_files;
  if (typeof flashFiles !== 'object' || flashFiles === null || Array.isArray(flashFiles)) {
    throw new CliProblem(`${argsPath} has no "flash_files", so it does not say what to flash.`, 'Point --idf-build at the build/ folder of an ESP-IDF project after idf.py build.');
  }
  const paths = Object.values(flashFiles).filter((p): p is string => typeof p === 'string');
  for (const path of paths) {
    if (isAbsolute(path) || normalize(path).startsWith('..')) throw new CliProblem(`${argsPath} names ${path}, outside the build folder.`, 'Pack a build whose flash files all sit inside build/.');
  }
  return [...new Set(paths)];
}

export async function planFromIdfBuild(dir: string): Promise<PackPlan> {
  const argsPath = join(dir, FLASHER_ARGS);
  if (!existsSync(argsPath)) {
    throw new CliProblem(`${dir} has no ${FLASHER_ARGS}.`, 'Point --idf-build at the build/ folder idf.py made (idf.py build writes flasher_args.json there).');
  }
  const text = readFileSync(argsPath, 'utf8');
  const folder = [{ path: FLASHER_ARGS, data: new Blob([text]) }];
  for (const path of namedFiles(argsPath, text)) {
    const onDisk = join(dir, path);
    if (!existsSync(onDisk)) throw new CliProblem(`${FLASHER_ARGS} names ${path}, but ${onDisk} does not exist.`, 'Build the project again (idf.py build) so every flash file is there.');
    folder.push({ path, data: new Blob([new Uint8Array(readFileSync(onDisk))]) });
  }
  const releases = await readBundle({ name: basename(dir), files: folder });
  const release = releases.find((r) => r.format === 'esp-idf-flasher-args');
  const build = release?.builds[0];
  if (!release || !build?.flash) throw new CliProblem(`${argsPath} does not read as an ESP-IDF flash layout.`, 'Point --idf-build at the build/ folder of an ESP-IDF project after idf.py build.');

  const files: PackFile[] = [];
  for (const file of release.files) {
    if (file.role === 'manifest' || file.role === 'signature' || file.role === 'other') continue;
    files.push({ path: file.path, data: new Uint8Array(await file.data.arrayBuffer()), role: file.role });
  }
  const flash = build.flash;
  const target: NativeTargetSpec = {
    ...(build.target.chipFamily ? { chipFamily: build.target.chipFamily } : {}),
    ...(build.ota?.kind === 'either' ? { ota: { image: build.ota.image } } : {}),
    flash: {
      parts: flash.parts.map((p) => ({ path: p.path, offset: p.offset })),
      erase: flash.erase,
      ...(flash.flashSize !== undefined ? { flashSize: flash.flashSize % MiB === 0 ? `${flash.flashSize / MiB}MB` : String(flash.flashSize) } : {}),
      ...(flash.flashMode ? { flashMode: flash.flashMode } : {}),
      ...(flash.flashFreq ? { flashFreq: flash.flashFreq } : {}),
    },
  };
  const app = release.files.find((f) => f.role === 'app' && f.image?.app);
  return { files, target, ...(app ? { app: { path: app.path, description: app.image!.app! } } : {}) };
}
