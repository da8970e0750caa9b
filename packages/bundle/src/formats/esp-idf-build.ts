// An ESP-IDF build output without flasher_args.json: the bootloader, the partition table and the app as idf.py
// names them (bootloader/bootloader.bin, partition_table/partition-table.bin, <project>.bin, ota_data_initial.bin,
// with or without the folders). Files are recognised by content; every offset is read from the files themselves:
// the bootloader's from the chip id in its header, the app's and otadata's from the partition table.
import { bootloaderOffset } from '../chip-family.ts';
import { BundleError } from '../errors.ts';
import { formatBytes } from '../limits.ts';
import type { LoadedFile } from '../loaded-file.ts';
import { PARTITION_TABLE_OFFSET, PARTITION_TABLE_MAX_SIZE, type Partition, type PartitionTable } from '../partition-table.ts';
import type { DeclaredFile, ReleaseDraft } from '../release-draft.ts';
import type { FlashPart, ReleaseNote } from '../release.ts';

const hex = (n: number) => `0x${n.toString(16)}`;
const OTADATA_NAME = /(^|\/)ota_data_initial\.bin$/i;
/** gen_esp32part.py puts the first partition right after the table's 4 KiB sector. */
const FIRST_PARTITION_AFTER_TABLE = PARTITION_TABLE_OFFSET + 0x1000;
const MANIFEST_HINT = 'Add the build\'s flasher_args.json (from the build/ folder) or an ESP Web Tools manifest.json that names each file\'s offset.';

function names(list: readonly LoadedFile[]): string {
  return list.map((f) => f.path).join(', ');
}

function partitionList(table: PartitionTable): string {
  return table.partitions.map((p) => `${p.label} (${p.type}/${p.subtype} at ${hex(p.offset)})`).join(', ');
}

/**
 * Reads a bundle with no manifest as an ESP-IDF build output, when it holds an app image together with a
 * bootloader image or a partition table. Returns undefined when it does not look like one; throws a BundleError
 * when it does but a part is missing, ambiguous or cannot be placed.
 */
export function readEspIdfBuild(candidates: readonly LoadedFile[], bundleName: string): ReleaseDraft | undefined {
  if (candidates.some((f) => f.embedded)) return undefined; // a merged image is read as one
  const apps = candidates.filter((f) => f.image?.app);
  const bootloaders = candidates.filter((f) => f.image && !f.image.app);
  const tables = candidates.filter((f) => f.partitionTable || f.partitionTableProblem);
  if (apps.length === 0 || bootloaders.length + tables.length === 0) return undefined;

  const incomplete = (missing: string, has: string) =>
    new BundleError('incomplete-release', `${bundleName} looks like an ESP-IDF build output (${has}) but has no ${missing}, so a first install from it could not boot.`, {
      file: bundleName,
      hint: `Add ${missing === 'bootloader image' ? 'bootloader/bootloader.bin' : 'partition_table/partition-table.bin'} from the same build. To update the app alone on a device that already has both, drop the app .bin by itself.`,
    });
  const ambiguous = (what: string, list: readonly LoadedFile[]) =>
    new BundleError('no-manifest', `${bundleName} holds ${list.length} ${what} (${names(list)}) and no manifest saying which belong together.`, {
      file: bundleName,
      hint: MANIFEST_HINT,
    });
  if (apps.length > 1) throw ambiguous('app images', apps);
  if (bootloaders.length > 1) throw ambiguous('bootloader images', bootloaders);
  if (tables.length > 1) throw ambiguous('partition tables', tables);
  const app = apps[0]!;
  if (bootloaders.length === 0) throw incomplete('bootloader image', `partition table ${tables[0]!.path}, app ${app.path}`);
  if (tables.length === 0) throw incomplete('partition table', `bootloader ${bootloaders[0]!.path}, app ${app.path}`);
  const bootloader = bootloaders[0]!;
  const tableFile = tables[0]!;

  const layoutError = (file: string, message: string, hint: string) => new BundleError('invalid-layout', message, { file, hint });
  const table = tableFile.partitionTable;
  if (!table) {
    throw layoutError(tableFile.path, `${tableFile.path} is not a valid partition table: ${tableFile.partitionTableProblem}.`, 'The file is damaged or from another tool. Take partition-table.bin from the build again.');
  }
  if (table.md5Valid === false) {
    throw layoutError(tableFile.path, `${tableFile.path} is damaged: the MD5 of its partition table does not match its entries.`, 'Take partition-table.bin from the build again.');
  }
  if (tableFile.size > PARTITION_TABLE_MAX_SIZE) {
    throw layoutError(tableFile.path, `${tableFile.path} has ${tableFile.size} bytes; an ESP-IDF partition table has at most ${PARTITION_TABLE_MAX_SIZE}.`, 'Take partition-table.bin from the build again.');
  }

  const chipFamily = bootloader.image!.chipFamily;
  if (!chipFamily || chipFamily === 'ESP8266') {
    throw new BundleError('unknown-chip-family', `${bootloader.path} is an ESP image for chip id ${bootloader.image!.chipId}, which FieldFlash does not know, so it cannot tell where the bootloader goes.`, {
      file: bootloader.path,
      hint: MANIFEST_HINT,
    });
  }
  const appFamily = app.image!.chipFamily;
  if (appFamily !== chipFamily) {
    throw new BundleError('chip-mismatch', `${bootloader.path} is built for ${chipFamily}, but ${app.path} for ${appFamily ?? `chip id ${app.image!.chipId}`}: they come from different builds.`, {
      file: app.path,
      hint: 'Zip the bootloader, partition table and app of one build together.',
    });
  }

  const firstPartition = Math.min(...table.partitions.map((p) => p.offset));
  const bootOffset = bootloaderOffset(chipFamily);
  if (firstPartition < FIRST_PARTITION_AFTER_TABLE) {
    throw layoutError(
      tableFile.path,
      `${tableFile.path} places a partition at ${hex(firstPartition)}, inside the space of the bootloader and the partition table (up to ${hex(FIRST_PARTITION_AFTER_TABLE)}): it was built for another partition-table offset, which only the build's flasher_args.json can tell.`,
      MANIFEST_HINT,
    );
  }
  const appPartition = table.partitions.find((p) => p.type === 'app' && p.subtype === 'factory') ?? table.partitions.find((p) => p.type === 'app' && p.subtype === 'ota_0');
  if (!appPartition) {
    throw layoutError(
      tableFile.path,
      `${tableFile.path} has no factory or ota_0 app partition, so the bootloader would find no app to start. Its partitions: ${partitionList(table)}.`,
      'Check that partition-table.bin comes from the same build as the app, and that the project\'s partition table has a factory or ota_0 partition.',
    );
  }
  const tooBig = (file: LoadedFile, partition: Partition, what: string) =>
    layoutError(
      file.path,
      `${file.path} (${formatBytes(file.size)}) is larger than the ${partition.subtype} partition "${partition.label}" (${formatBytes(partition.size)}) it ${what}, so it would overwrite what follows.`,
      'Build with a larger partition, or check that the partition table comes from the same build.',
    );
  if (app.size > appPartition.size) throw tooBig(app, appPartition, 'goes to');

  const origin = (p: Partition) => ({ from: 'partition-table' as const, label: p.label, subtype: p.subtype });
  const parts: FlashPart[] = [
    { path: bootloader.path, offset: bootOffset, origin: { from: 'bootloader-header', chipFamily } },
    { path: tableFile.path, offset: PARTITION_TABLE_OFFSET, origin: { from: 'partition-table-offset', firstPartition } },
  ];
  const declared: DeclaredFile[] = [
    { path: bootloader.path, field: 'bootloader', role: 'bootloader' },
    { path: tableFile.path, field: 'partition table', role: 'partition-table' },
  ];
  const otadataFiles = candidates.filter((f) => OTADATA_NAME.test(f.path));
  if (otadataFiles.length > 1) throw ambiguous('otadata images', otadataFiles);
  const otadata = otadataFiles[0];
  if (otadata) {
    const otaPartition = table.partitions.find((p) => p.type === 'data' && p.subtype === 'ota');
    if (!otaPartition) {
      throw layoutError(
        otadata.path,
        `${bundleName} holds ${otadata.path}, but ${tableFile.path} has no otadata partition to write it to. Its partitions: ${partitionList(table)}.`,
        'The files come from different builds. Zip the bootloader, partition table, otadata and app of one build together.',
      );
    }
    if (otadata.size > otaPartition.size) throw tooBig(otadata, otaPartition, 'goes to');
    parts.push({ path: otadata.path, offset: otaPartition.offset, origin: origin(otaPartition) });
    declared.push({ path: otadata.path, field: 'otadata', role: 'ota-data' });
  }
  parts.push({ path: app.path, offset: appPartition.offset, origin: origin(appPartition) });
  declared.push({ path: app.path, field: 'app', role: 'app' });

  const description = app.image!.app!;
  const notes: ReleaseNote[] = [
    {
      level: 'info',
      message: `${bundleName} has no manifest; FieldFlash read it as an ESP-IDF build output: bootloader at ${hex(bootOffset)} (chip ${chipFamily} in its header), partition table at ${hex(PARTITION_TABLE_OFFSET)}, ${otadata ? `otadata at ${hex(parts[2]!.offset)}, ` : ''}app at ${hex(appPartition.offset)} (the ${appPartition.subtype} partition).`,
    },
  ];
  if (firstPartition !== FIRST_PARTITION_AFTER_TABLE) {
    notes.push({
      level: 'warning',
      message: `${tableFile.path} is written at ${hex(PARTITION_TABLE_OFFSET)}, ESP-IDF's default, but its first partition begins at ${hex(firstPartition)} rather than ${hex(FIRST_PARTITION_AFTER_TABLE)}. If the project sets another partition-table offset, the device will not boot: import the build with its flasher_args.json instead.`,
    });
  }
  return {
    format: 'esp-idf-build',
    product: description.projectName,
    declaredVersion: description.version,
    versionSource: `the app description in ${app.path}`,
    securityVersion: description.secureVersion,
    builds: [{ target: { chipFamily }, flash: { parts, erase: 'all' }, ota: { kind: 'either', image: app.path }, field: 'build' }],
    files: declared,
    notes,
  };
}
