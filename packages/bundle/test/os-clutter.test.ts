// Files that macOS and Windows add to zips and folders on their own are not part of a release.
import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/index.ts';
import { isOsClutter } from '../src/os-clutter.ts';
import { asFolder, fixtureFiles, zipFiles, type BundleFile } from './helpers.ts';

const text = (s: string) => new TextEncoder().encode(s);
// An AppleDouble header (magic 0x00051607, version 2), as the Finder writes for each file's resource fork.
const appleDouble = () => Uint8Array.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, ...new Array(74).fill(0)]);
// A "._manifest.json" that reads as a valid manifest of another product: it must never become a release.
const decoy = text(JSON.stringify({ name: 'Decoy', version: '9.9.9', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'firmware_esp-idf-v5.1/Application.bin', offset: 0x10000 }] }] }));

function withClutter(files: BundleFile[]): BundleFile[] {
  return [
    ...files,
    { path: '__MACOSX/._manifest.json', data: appleDouble() },
    { path: '__MACOSX/firmware_esp-idf-v5.1/._Application.bin', data: appleDouble() },
    { path: '._manifest.json', data: decoy },
    { path: '.DS_Store', data: text('Bud1\u0000\u0000\u0000\u0001') },
    { path: 'firmware_esp-idf-v5.1/.DS_Store', data: text('Bud1') },
    { path: 'firmware_esp-idf-v5.1/Thumbs.db', data: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]) },
    { path: 'desktop.ini', data: text('[.ShellClassInfo]\r\nIconResource=firmware.ico,0\r\n') },
  ];
}

describe('operating-system clutter', () => {
  it('recognises what the Finder and Windows Explorer add, and nothing else', () => {
    for (const path of ['__MACOSX/._a.bin', '__MACOSX/', 'x/__MACOSX/y', '._manifest.json', 'a/._b', '.DS_Store', 'a/.DS_Store', 'Thumbs.db', 'a/thumbs.db', 'desktop.ini', 'Desktop.ini']) {
      expect(isOsClutter(path), path).toBe(true);
    }
    for (const path of ['manifest.json', 'a/b.bin', 'MACOSX/a', '_manifest.json', 'a._b', 'thumbs.db.bin', 'ini/desktop']) {
      expect(isOsClutter(path), path).toBe(false);
    }
  });

  for (const form of ['zip', 'folder'] as const) {
    it(`is left out of a ${form}'s release: file list, integrity count and id, and ._manifest.json is no manifest`, async () => {
      const clean = fixtureFiles();
      const cluttered = withClutter(clean);
      const read = async (files: BundleFile[]) =>
        form === 'zip' ? readBundle({ name: 'logibus-mac.zip', data: await zipFiles(files) }) : readBundle({ name: 'logibus-mac', files: asFolder(files) });
      const releases = await read(cluttered);
      expect(releases.map((r) => r.product)).toEqual(['LOGIBUS DualOut ESP32 esp-idf-v5.1']);
      const release = releases[0]!;
      expect(release.files.map((f) => f.path).sort()).toEqual(clean.map((f) => f.path).sort());
      expect(release.notes.map((n) => n.message)).toContain(
        'Left out 7 files that the operating system added, not part of the release: __MACOSX/._manifest.json, __MACOSX/firmware_esp-idf-v5.1/._Application.bin, ._manifest.json and 4 more.',
      );
      const [without] = await read(clean);
      expect(release.id).toBe(without!.id);
    });
  }
});
