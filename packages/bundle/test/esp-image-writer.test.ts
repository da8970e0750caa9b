// The image writer checked against the reader and against the structure of the real fixture's images.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  CHIP_FAMILIES, IMAGE_CHIP_ID, inspectEspImage, verifyAppendedHash, parsePartitionTable, writeAppImage, writeBootloaderImage,
  writePartitionTable, type ChipFamily,
} from '../src/index.ts';
import { FIXTURE_DIR, flip } from './helpers.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(`${FIXTURE_DIR}firmware_esp-idf-v5.1/${name}`));
const families = CHIP_FAMILIES.filter((f) => f !== 'ESP8266') as Array<Exclude<ChipFamily, 'ESP8266'>>;

describe('writeAppImage', () => {
  it.each(families)('writes an app image for %s that inspectEspImage reads back', async (chipFamily) => {
    const bytes = await writeAppImage({ chipFamily, projectName: 'fieldflash-demo', version: '1.2.3-rc.1', idfVersion: 'v5.3.1', secureVersion: 4, date: 'Mar  3 2025', time: '12:34:56', flashSizeMiB: 8 });
    const info = inspectEspImage(bytes);
    expect(info.chipId).toBe(IMAGE_CHIP_ID[chipFamily]);
    expect(info.chipFamily).toBe(chipFamily);
    expect(info.app).toMatchObject({ projectName: 'fieldflash-demo', version: '1.2.3-rc.1', idfVersion: 'v5.3.1', secureVersion: 4, date: 'Mar  3 2025', time: '12:34:56' });
    expect(info.flashSize).toBe(8 * 1024 * 1024);
    expect(info.flashMode).toBe('dio');
    expect(info.checksumValid).toBe(true);
    expect(info.hashAppended).toBe(true);
    expect(info.imageLength).toBe(bytes.length);
    expect(await verifyAppendedHash(bytes, info)).toBe(true);
    expect(info.segments.length).toBe(3);
  });

  it('has the structure of the real fixture app: extended header, app description first, checksum, hash', async () => {
    const real = fixture('Application.bin');
    const ours = await writeAppImage({ chipFamily: 'ESP32', projectName: 'Application', version: 'v0.8', flashSizeMiB: 16 });
    const a = inspectEspImage(real);
    const b = inspectEspImage(ours);
    for (const info of [a, b]) {
      expect(info.app).toBeDefined();
      expect(info.checksumValid).toBe(true);
      expect(info.hashAppended).toBe(true);
      expect((info.imageLength - 32) % 16).toBe(0);
    }
    expect(await verifyAppendedHash(real, a)).toBe(true);
    expect(await verifyAppendedHash(ours, b)).toBe(true);
    // Same header bytes where the fixture's fields mean the same thing: magic, flash mode/size, wp pin, chip id, max revision, hash flag.
    for (const i of [0, 2, 8, 12, 13, 17, 18, 23]) expect(ours[i], `header byte ${i}`).toBe(real[i]);
    expect(ours[3]! >> 4).toBe(real[3]! >> 4);
    expect(b.segments[0]!.loadAddress).toBe(a.segments[0]!.loadAddress);
  });

  it('pads to a slot size with 0xFF and stays the same image', async () => {
    const bytes = await writeAppImage({ chipFamily: 'ESP32-C3', projectName: 'p', version: '1.0.0', padTo: 0x20000 });
    expect(bytes.length).toBe(0x20000);
    const info = inspectEspImage(bytes);
    expect(bytes.subarray(info.imageLength).every((b) => b === 0xff)).toBe(true);
    expect(await verifyAppendedHash(bytes, info)).toBe(true);
  });

  it('is deterministic', async () => {
    const spec = { chipFamily: 'ESP32' as const, projectName: 'p', version: '1.0.0' };
    expect(Buffer.compare(await writeAppImage(spec), await writeAppImage(spec))).toBe(0);
  });
});

describe('writeBootloaderImage', () => {
  it('matches the real fixture bootloader in structure', async () => {
    const real = inspectEspImage(fixture('bootloader.bin'));
    const ours = inspectEspImage(await writeBootloaderImage({ chipFamily: 'ESP32', idfVersion: 'v5.1-dirty', flashSizeMiB: 16 }));
    // This v5.1 bootloader predates esp_bootloader_desc_t; ours carries one, as v5.2 and later write it.
    expect(real.bootloader).toBeUndefined();
    expect(ours.bootloader?.idfVersion).toBe('v5.1-dirty');
    expect(ours.hashAppended).toBe(real.hashAppended);
    expect(ours.app).toBeUndefined();
    expect(ours.chipFamily).toBe(real.chipFamily);
    expect(ours.flashSize).toBe(real.flashSize);
    expect(ours.checksumValid && real.checksumValid).toBe(true);
  });
});

describe('partition tables', () => {
  it('rewrites the real fixture table byte for byte from its parsed entries', () => {
    const real = fixture('partition-table.bin');
    const table = parsePartitionTable(real);
    expect(table.md5Valid).toBe(true);
    const rewritten = writePartitionTable(table.partitions.map((p) => ({ label: p.label, type: p.typeId, subtype: p.subtypeId, offset: p.offset, size: p.size, encrypted: p.encrypted, readonly: p.readonly })));
    expect(Buffer.compare(rewritten, real)).toBe(0);
  });

  it('names subtypes as ESP-IDF does and detects a damaged table', () => {
    const bytes = writePartitionTable([
      { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
      { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xd000, size: 0x2000 },
      { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: 0x10000, size: 0x100000 },
      { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x110000, size: 0x100000 },
    ]);
    const table = parsePartitionTable(bytes);
    expect(table.partitions.map((p) => `${p.type}/${p.subtype}`)).toEqual(['data/nvs', 'data/ota', 'app/ota_0', 'app/ota_1']);
    flip(bytes, 40, 1);
    expect(parsePartitionTable(bytes).md5Valid).toBe(false);
  });

  it('refuses overlapping partitions', () => {
    const bytes = writePartitionTable([
      { label: 'a', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
      { label: 'b', type: 'data', subtype: 'nvs', offset: 0x20000, size: 0x1000 },
    ]);
    expect(() => parsePartitionTable(bytes)).toThrow(/"a".*overlaps "b"/);
  });

  it('seals tables with the MD5 node:crypto computes', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ offset: fc.integer({ min: 0x9000, max: 0x7fffff }), size: fc.integer({ min: 0x1000, max: 0x100000 }) }), { minLength: 1, maxLength: 8 }), (specs) => {
        const bytes = writePartitionTable(specs.map((s, i) => ({ label: `p${i}`, type: 'data', subtype: 'nvs', offset: s.offset, size: s.size })));
        const entries = bytes.subarray(0, specs.length * 32);
        const stored = Buffer.from(bytes.subarray(specs.length * 32 + 16, specs.length * 32 + 32)).toString('hex');
        expect(stored).toBe(createHash('md5').update(entries).digest('hex'));
      }),
    );
  });
});
