// pack from loose files: an OTA image (--app) or a pair (--slot0/--slot1), a first-install layout (--part
// OFFSET:FILE), or a MicroPython source tree (--source-tree DIR). Each file goes into the zip under its own name.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseChipFamily, parseOffset, readEspAppHeader, type ChipFamily, type ErasePolicy, type NativeTargetSpec } from '@fieldflash/bundle';
import { existingFile, existingFolder } from './options.ts';
import { usageProblem } from './problem.ts';
import type { PackFile, PackPlan } from './pack-plan.ts';

export interface FileOptions {
  app?: string | undefined;
  slot0?: string | undefined;
  slot1?: string | undefined;
  part?: string[] | undefined;
  erase?: string | undefined;
  'source-tree'?: string | undefined;
  'device-local'?: string[] | undefined;
}

const SOURCE_TREE_ROOT = 'src';

/** Collects files by their place on disk; the zip holds each once, under its base name. */
class PackedFiles {
  readonly files: PackFile[] = [];
  private readonly from = new Map<string, string>();

  add(option: string, diskPath: string): string {
    const absolute = resolve(existingFile(option, diskPath));
    const name = basename(absolute);
    const known = this.from.get(name);
    if (known === absolute) return name;
    if (known) throw usageProblem(`Two different files are both named ${name} (${known} and ${absolute}); a release holds one file per name.`, 'Rename one of them.');
    this.from.set(name, absolute);
    this.files.push({ path: name, data: new Uint8Array(readFileSync(absolute)) });
    return name;
  }
}

function parsePart(text: string): { offset: number; file: string } {
  const colon = text.indexOf(':');
  const offset = colon > 0 ? parseOffset(text.slice(0, colon)) : undefined;
  if (offset === undefined) throw usageProblem(`--part: "${text}" is not OFFSET:FILE.`, 'For example: --part 0x1000:bootloader.bin --part 0x8000:partition-table.bin --part 0x10000:app.bin');
  return { offset, file: text.slice(colon + 1) };
}

function sourceTreeFiles(dir: string): PackFile[] {
  const files: PackFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      // Hidden files and bytecode caches are the workstation's, not the application's.
      if (entry.name.startsWith('.') || entry.name === '__pycache__') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push({ path: `${SOURCE_TREE_ROOT}/${relative(dir, path).split(/[\\/]/).join('/')}`, data: new Uint8Array(readFileSync(path)), role: 'source' });
    }
  };
  walk(dir);
  if (files.length === 0) throw usageProblem(`--source-tree: ${dir} holds no files.`, 'Name the folder that holds main.py.');
  return files;
}

function chipOf(option: string | undefined, plan: PackPlan): ChipFamily | undefined {
  const fromImage = plan.app ? readEspAppHeader(plan.files.find((f) => f.path === plan.app!.path)!.data)?.chipFamily : undefined;
  if (option === undefined) return fromImage;
  const chip = parseChipFamily(option);
  if (!chip) throw usageProblem(`--chip: "${option}" is not a chip family FieldFlash knows.`, 'For example: --chip ESP32, --chip ESP32-S3, --chip ESP32-C3.');
  if (fromImage && fromImage !== chip) throw usageProblem(`--chip says ${chip}, but ${plan.app!.path} is built for ${fromImage}.`, 'Pack the image built for that chip, or correct --chip.');
  return chip;
}

export function planFromFiles(options: FileOptions, chip: string | undefined): PackPlan {
  const packed = new PackedFiles();
  const target: NativeTargetSpec = {};
  const tree = options['source-tree'];
  if (tree !== undefined) {
    if (options.app || options.slot0 || options.slot1 || options.part?.length) throw usageProblem('--source-tree is a release of its own: leave out --app, --slot0/--slot1 and --part.');
    const deviceLocal = options['device-local'];
    target.runtime = { name: 'micropython' };
    target.sourceTree = { root: SOURCE_TREE_ROOT, entry: 'main', ...(deviceLocal?.length ? { deviceLocal } : {}) };
    const plan: PackPlan = { files: sourceTreeFiles(existingFolder('--source-tree', tree)), target };
    if (chip !== undefined) target.chipFamily = chipOf(chip, plan);
    return plan;
  }
  if (options.app && (options.slot0 || options.slot1)) throw usageProblem('Give either --app (one image for both OTA slots) or --slot0 and --slot1, not both.');
  if (Boolean(options.slot0) !== Boolean(options.slot1)) throw usageProblem('--slot0 and --slot1 go together: one image built for each OTA slot.');
  if (options.app) target.ota = { image: packed.add('--app', options.app) };
  if (options.slot0 && options.slot1) target.ota = { slot0: packed.add('--slot0', options.slot0), slot1: packed.add('--slot1', options.slot1) };
  const parts = (options.part ?? []).map(parsePart).map((p) => ({ offset: p.offset, path: packed.add('--part', p.file) }));
  if (options.erase !== undefined && options.erase !== 'all' && options.erase !== 'parts') throw usageProblem(`--erase: "${options.erase}" must be all or parts.`);
  if (parts.length > 0) target.flash = { parts, erase: (options.erase as ErasePolicy | undefined) ?? 'parts' };
  else if (options.erase !== undefined) throw usageProblem('--erase goes with --part: it says what a first install erases.');
  if (packed.files.length === 0) {
    throw usageProblem('Say what the release holds.', 'Use --app FILE, --slot0 FILE --slot1 FILE, --part OFFSET:FILE (repeatable), --source-tree DIR, or --idf-build build/.');
  }
  // The first app image named (the OTA image, then slot 0, then a flashed part) speaks for the release.
  const app = packed.files.map((f) => ({ path: f.path, header: readEspAppHeader(f.data) })).find((f) => f.header);
  const plan: PackPlan = { files: packed.files, target, ...(app ? { app: { path: app.path, description: app.header!.app } } : {}) };
  const chipFamily = chipOf(chip, plan);
  if (!chipFamily) throw usageProblem('--chip is missing, and no app image says which chip it is built for.', 'For example: --chip ESP32.');
  target.chipFamily = chipFamily;
  return plan;
}

