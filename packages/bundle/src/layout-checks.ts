// Checks a first-install layout before anything reaches a device: parts must not overlap, must fit the flash,
// and app images should land in app partitions of the release's own partition table.
import { BundleError } from './errors.ts';
import { formatBytes } from './limits.ts';
import type { LoadedFile } from './loaded-file.ts';
import type { FlashLayout, ReleaseNote } from './release.ts';

export const APP_OFFSET = 0x10000;

const hex = (n: number) => `0x${n.toString(16)}`;

/** The flash size the layout is for: what the manifest says, else what the bootloader (or app) header says. */
export function layoutFlashSize(layout: FlashLayout, files: ReadonlyMap<string, LoadedFile>): number | undefined {
  if (layout.flashSize !== undefined) return layout.flashSize;
  const images = layout.parts.map((p) => files.get(p.path)).filter((f): f is LoadedFile => f !== undefined);
  const boot = images.find((f) => f.image?.bootloader)?.image ?? images.flatMap((f) => f.embedded ?? []).find((e) => e.role === 'bootloader')?.image;
  return (boot ?? images.find((f) => f.image)?.image)?.flashSize;
}

export function checkLayout(layout: FlashLayout, files: ReadonlyMap<string, LoadedFile>, where: string, notes: ReleaseNote[]): void {
  const manifest = where;
  const parts = layout.parts
    .map((p) => ({ ...p, size: files.get(p.path)?.size ?? 0 }))
    .sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < parts.length; i++) {
    const a = parts[i - 1]!;
    const b = parts[i]!;
    if (a.offset + a.size > b.offset) {
      throw new BundleError('overlapping-parts', `${manifest}: ${a.path} (${formatBytes(a.size)} at ${hex(a.offset)}) runs into ${b.path} at ${hex(b.offset)}.`, {
        file: a.path,
        hint: 'Check the offsets in the manifest against the build output; each part must end before the next begins.',
      });
    }
  }
  const flashSize = layoutFlashSize(layout, files);
  if (flashSize !== undefined) {
    for (const p of parts) {
      if (p.offset + p.size > flashSize) {
        throw new BundleError('part-beyond-flash', `${manifest}: ${p.path} ends at ${hex(p.offset + p.size)}, beyond the ${formatBytes(flashSize)} flash the release is built for.`, {
          file: p.path,
          hint: 'Check the part offsets and the flash size the firmware was built for.',
        });
      }
    }
  }
  const tablePart = parts.find((p) => files.get(p.path)?.partitionTable);
  const table = tablePart ? files.get(tablePart.path)?.partitionTable : undefined;
  if (!table) return;
  if (flashSize !== undefined) {
    for (const partition of table.partitions) {
      if (partition.offset + partition.size > flashSize) {
        notes.push({ level: 'warning', message: `Partition "${partition.label}" in ${tablePart!.path} ends at ${hex(partition.offset + partition.size)}, beyond the ${formatBytes(flashSize)} flash the bootloader is built for.` });
      }
    }
  }
  for (const p of parts) {
    if (!files.get(p.path)?.image?.app) continue;
    const partition = table.partitions.find((x) => x.offset === p.offset);
    if (!partition || partition.type !== 'app') {
      notes.push({ level: 'warning', message: `${p.path} is written at ${hex(p.offset)}, where ${tablePart!.path} has no app partition.` });
    } else if (p.size > partition.size) {
      throw new BundleError('overlapping-parts', `${manifest}: ${p.path} (${formatBytes(p.size)}) is larger than partition "${partition.label}" (${formatBytes(partition.size)}) it is written to, so it would overwrite what follows.`, {
        file: p.path,
        hint: 'Build the firmware with a larger app partition, or check that the right partition table is in the release.',
      });
    }
  }
}
