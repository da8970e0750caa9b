// Where a flash part's offset came from, so that a person can see which offsets were read and which assumed.
import type { ChipFamily } from './chip-family.ts';

export type OffsetOrigin =
  /** Written in a manifest field. */
  | { from: 'manifest'; manifest: string; field: string }
  /** The second-stage bootloader's place, from the chip id in its image header. */
  | { from: 'bootloader-header'; chipFamily: ChipFamily }
  /** ESP-IDF's partition table offset, 0x8000; `firstPartition` is where the table's first partition begins. */
  | { from: 'partition-table-offset'; firstPartition: number }
  /** A partition of the release's own partition table. */
  | { from: 'partition-table'; label: string; subtype: string }
  /** A merged flash image starts at the start of flash. */
  | { from: 'merged-image' }
  /** Nothing in the release says where the part goes: FieldFlash assumed it (always with a warning). */
  | { from: 'assumed'; why: string };

const hex = (n: number) => `0x${n.toString(16)}`;

/** The origin in a few words, as the release details show it. */
export function describeOffsetOrigin(origin: OffsetOrigin): string {
  switch (origin.from) {
    case 'manifest':
      return `manifest: ${origin.manifest}, ${origin.field}`;
    case 'bootloader-header':
      return `bootloader header: chip ${origin.chipFamily}`;
    case 'partition-table-offset':
      return origin.firstPartition === 0x9000
        ? "ESP-IDF partition table offset; the table's first partition follows it at 0x9000"
        : `ESP-IDF's default partition table offset, assumed (the table's first partition begins at ${hex(origin.firstPartition)})`;
    case 'partition-table': {
      const kind = origin.subtype === 'ota' ? 'otadata' : origin.subtype;
      return `partition table: ${kind} partition${origin.label === kind ? '' : ` "${origin.label}"`}`;
    }
    case 'merged-image':
      return 'merged image: starts at the start of flash';
    case 'assumed':
      return `assumed: ${origin.why}`;
  }
}
