// What a release's first-install layout brings to the chip: a bootloader, a partition table, which apps where.
// Read from the roles and images the library recorded on import, merged images included.
import type { AppDescription, Build, PartitionTable, ReleaseFile } from '@fieldflash/bundle';

type FileInfo = Pick<ReleaseFile, 'path' | 'size' | 'role' | 'image' | 'partitionTable' | 'embedded'>;

export interface LayoutApp {
  /** File name as the technician sees it. */
  name: string;
  offset: number;
  size: number;
  app: AppDescription | undefined;
}

export interface LayoutContents {
  bootloader: boolean;
  /** Where the layout writes its bootloader (absolute offsets; a merged image's counted from where it goes). */
  bootloaderOffsets: number[];
  /** The release's own partition table, when it brings one. */
  partitionTable: PartitionTable | undefined;
  apps: LayoutApp[];
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function layoutContents(files: readonly FileInfo[], build: Build): LayoutContents {
  const contents: LayoutContents = { bootloader: false, bootloaderOffsets: [], partitionTable: undefined, apps: [] };
  for (const part of build.flash?.parts ?? []) {
    const file = files.find((f) => f.path === part.path);
    if (!file) continue;
    // Every ESP-IDF (and Arduino) app carries esp_app_desc_t; an ESP image without one is a bootloader,
    // wherever the manifest put it.
    if (file.role === 'bootloader' || file.image?.bootloader || (file.image && !file.image.app)) {
      contents.bootloader = true;
      contents.bootloaderOffsets.push(part.offset);
    }
    if (file.partitionTable) contents.partitionTable = file.partitionTable;
    if (file.image?.app && file.role !== 'bootloader') {
      contents.apps.push({ name: baseName(file.path), offset: part.offset, size: file.size, app: file.image?.app });
    }
    // A merged image carries its own bootloader, table and app at offsets relative to where it is written.
    for (const inside of file.embedded ?? []) {
      if (inside.role === 'bootloader') {
        contents.bootloader = true;
        contents.bootloaderOffsets.push(part.offset + inside.offset);
      }
      if (inside.role === 'partition-table' && inside.partitionTable) contents.partitionTable = inside.partitionTable;
      if (inside.role === 'app') {
        const size = inside.image?.imageLength ?? 0;
        contents.apps.push({ name: `${baseName(file.path)} (app at +0x${inside.offset.toString(16)})`, offset: part.offset + inside.offset, size, app: inside.image?.app });
      }
    }
  }
  return contents;
}

/** The app the board should report once it boots: the first app of the layout that describes itself. */
export function expectedApp(contents: LayoutContents): { projectName: string; version: string } | undefined {
  const app = contents.apps.find((a) => a.app)?.app;
  return app ? { projectName: app.projectName, version: app.version } : undefined;
}

/** What is missing for a chip erased first to start this layout, in words; undefined when nothing is. */
export function missingForFirstInstall(contents: LayoutContents): string | undefined {
  // Missing pieces only: a bootloader at the wrong offset is a different refusal, made once the chip is known.
  const missing = [contents.bootloader ? '' : 'no bootloader', contents.partitionTable ? '' : 'no partition table'].filter(Boolean);
  return missing.length > 0 ? missing.join(' and ') : undefined;
}
