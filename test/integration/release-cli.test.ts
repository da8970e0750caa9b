// `npm run release` as a program: publisher keys of both algorithms, releases packed from files and from a real
// ESP-IDF build folder, signed, inspected and verified; tampered zips refused with the reason. Every zip it writes
// is read back with the importer the app uses.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatFingerprint, parsePublicKey, readBundle, releaseTrust, writeAppImage, writeBootloaderImage, writePartitionTable, type PublicKey, type Release,
} from '@fieldflash/bundle';

const CLI = fileURLToPath(new URL('../../packages/release/src/cli.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url));
const STACK_FRAME = /^\s+at /m;
// The CLI runs in a scratch folder, as a release engineer runs it in theirs, so tsx is named by its full path.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let dir: string;
const at = (...parts: string[]) => join(dir, ...parts);

function release(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

async function readZip(path: string): Promise<Release[]> {
  return readBundle({ name: path, data: new Blob([readFileSync(at(path))]) });
}

async function publicKey(path: string): Promise<PublicKey> {
  return parsePublicKey(readFileSync(at(path), 'utf8'));
}

/** Every entry of a zip, uncompressed, by name. */
async function entries(path: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(readFileSync(at(path)));
  const out = new Map<string, Buffer>();
  for (const entry of Object.values(zip.files)) if (!entry.dir) out.set(entry.name, await entry.async('nodebuffer'));
  return out;
}

async function rewriteEntry(from: string, to: string, name: string, change: (bytes: Buffer) => Buffer): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(at(from)));
  zip.file(name, change(await zip.file(name)!.async('nodebuffer')));
  writeFileSync(at(to), await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

const ED25519 = 'keys/acme-release-key';
let ecdsa: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldflash-release-'));
  const bootloader = await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4 });
  const table = writePartitionTable([
    { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
    { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
  ]);
  const app = await writeAppImage({ chipFamily: 'ESP32', projectName: 'widget', version: '1.4.0', secureVersion: 2, flashSizeMiB: 4 });
  mkdirSync(at('files'));
  writeFileSync(at('files/bootloader.bin'), bootloader);
  writeFileSync(at('files/partition-table.bin'), table);
  writeFileSync(at('files/widget.bin'), app);
  // A real ESP-IDF v5.1 build folder: the fixture's images where idf.py puts them, flasher_args.json as it writes
  // it for this ESP32 (16 MB, dio, 80 MHz, as the bootloader's header says), and build leftovers that stay out.
  mkdirSync(at('build/bootloader'), { recursive: true });
  mkdirSync(at('build/partition_table'));
  copyFileSync(join(FIXTURE, 'bootloader.bin'), at('build/bootloader/bootloader.bin'));
  copyFileSync(join(FIXTURE, 'partition-table.bin'), at('build/partition_table/partition-table.bin'));
  copyFileSync(join(FIXTURE, 'Application.bin'), at('build/Application.bin'));
  writeFileSync(at('build/Application.elf'), 'not flashed');
  writeFileSync(at('build/project_description.json'), '{"project_name": "Application"}');
  writeFileSync(
    at('build/flasher_args.json'),
    `{
    "write_flash_args" : [ "--flash_mode", "dio",
                           "--flash_size", "16MB",
                           "--flash_freq", "80m" ],
    "flash_settings" : {
        "flash_mode": "dio",
        "flash_size": "16MB",
        "flash_freq": "80m"
    },
    "flash_files" : {
        "0x1000" : "bootloader/bootloader.bin",
        "0x10000" : "Application.bin",
        "0x8000" : "partition_table/partition-table.bin"
    },
    "bootloader" : { "offset" : "0x1000", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x10000", "file" : "Application.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "extra_esptool_args" : {
        "after"  : "hard_reset",
        "before" : "default_reset",
        "stub"   : true,
        "chip"   : "esp32"
    }
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keygen', () => {
  it('writes an Ed25519 key pair: the private key 0600, the public key as key file and PEM; prints id and fingerprint only', async () => {
    const { code, out, err } = await release('keygen', '--name', 'Acme release key', '--out', 'keys');
    expect(err).toBe('');
    expect(code).toBe(0);
    const key = await publicKey(`${ED25519}.pub.json`);
    expect(key).toMatchObject({ algorithm: 'ed25519', name: 'Acme release key' });
    expect((await publicKey(`${ED25519}.pub.pem`)).fingerprint).toBe(key.fingerprint);
    expect(out).toContain(key.keyId);
    expect(out).toContain(formatFingerprint(key.fingerprint));
    const privatePem = readFileSync(at(`${ED25519}.key.pem`), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(out).not.toContain(privatePem.split('\n')[1]!.slice(0, 20));
    expect(statSync(at(`${ED25519}.key.pem`)).mode & 0o777).toBe(0o600);
  });

  it('writes an ECDSA P-256 key pair named by its key id when it has no name', async () => {
    const { code, out } = await release('keygen', '--algorithm', 'ecdsa-p256', '--out', 'keys-p256');
    expect(code).toBe(0);
    const keyId = /key id\s+([0-9a-f]{16})/.exec(out)![1]!;
    ecdsa = `keys-p256/${keyId}`;
    expect(await publicKey(`${ecdsa}.pub.json`)).toMatchObject({ algorithm: 'ecdsa-p256', keyId });
    expect(statSync(at(`${ecdsa}.key.pem`)).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite a key, and says what to do', async () => {
    const before = readFileSync(at(`${ED25519}.key.pem`));
    const { code, err } = await release('keygen', '--name', 'Acme release key', '--out', 'keys');
    expect(code).toBe(1);
    expect(err).toMatch(/acme-release-key\.key\.pem.* already exist.*never overwrites a key\.\nChoose another --out folder or --name/);
    expect(readFileSync(at(`${ED25519}.key.pem`)).equals(before)).toBe(true);
    expect(err).not.toMatch(STACK_FRAME);
  });

  it('refuses an unknown algorithm as a usage error', async () => {
    const { code, err } = await release('keygen', '--algorithm', 'rsa', '--out', 'keys-rsa');
    expect(code).toBe(2);
    expect(err).toMatch(/--algorithm: "rsa" is not one FieldFlash signs with\.\nUse ed25519 or ecdsa-p256\.[\s\S]*Usage: npm run release -- keygen/);
  });
});

describe('pack, sign, inspect, verify', () => {
  it('packs loose files, signed in the same step; the app imports the release and trusts it', async () => {
    const { code, out, err } = await release(
      'pack', '--product', 'Widget', '--version', '1.4.0', '--sequence', '7', '--board', 'widget-board', '--applies-to', '>=1.0.0',
      '--notes', 'Faster boot.', '--app', 'files/widget.bin', '--part', '0x1000:files/bootloader.bin', '--part', '0x8000:files/partition-table.bin',
      '--part', '0x10000:files/widget.bin', '--out', 'widget.zip', '--sign', `${ED25519}.key.pem`,
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const [packed, ...more] = await readZip('widget.zip');
    expect(more).toHaveLength(0);
    expect(packed).toMatchObject({ format: 'fieldflash', product: 'Widget', version: '1.4.0', sequence: 7, securityVersion: 2, appliesTo: '>=1.0.0', notes: [] });
    const build = packed!.builds[0]!;
    expect(build.target).toEqual({ chipFamily: 'ESP32', board: 'widget-board' });
    expect(build.ota).toEqual({ kind: 'either', image: 'widget.bin' });
    expect(build.flash!.parts.map((p) => [p.path, p.offset])).toEqual([['bootloader.bin', 0x1000], ['partition-table.bin', 0x8000], ['widget.bin', 0x10000]]);
    expect(Object.fromEntries(packed!.files.map((f) => [f.path, f.role]))).toEqual({
      'fieldflash.json': 'manifest', 'fieldflash.json.sig': 'signature', 'widget.bin': 'app', 'bootloader.bin': 'bootloader', 'partition-table.bin': 'partition-table',
    });
    // The manifest declares each file's size, SHA-256 and role, computed from the files as given.
    const manifest = JSON.parse((await entries('widget.zip')).get('fieldflash.json')!.toString('utf8'));
    expect(manifest.files).toEqual(packed!.files.filter((f) => f.digestDeclared).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, role: f.role })));
    expect(readFileSync(at('files/widget.bin')).length).toBe(manifest.files[0].size);
    expect(manifest.releaseNotes).toBe('Faster boot.');

    const key = await publicKey(`${ED25519}.pub.json`);
    expect(await releaseTrust(packed!, [key], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted', key: { keyId: key.keyId } });
    expect(await releaseTrust(packed!, [await publicKey(`${ecdsa}.pub.json`)], { allowUnsigned: false })).toMatchObject({ verdict: 'refused', reason: 'untrusted-key' });
    expect(out).toContain(`Wrote widget.zip`);
    expect(out).toContain(`ed25519, key ${key.keyId}`);
  });

  it('packs a real ESP-IDF build folder: layout from flasher_args.json, version and security version from the app', async () => {
    const { code, out, err } = await release('pack', '--idf-build', 'build', '--sequence', '3', '--out', 'application.zip');
    expect(code).toBe(0);
    expect(err).toMatch(/gives the version as "v0\.8-7-g333c02c-dirty"/);
    expect(out).toMatch(/unsigned: sign it with `npm run release -- sign`/);
    const [packed, ...more] = await readZip('application.zip');
    expect(more).toHaveLength(0);
    expect(packed).toMatchObject({ format: 'fieldflash', product: 'Application', version: '0.8.0-7-g333c02c-dirty', sequence: 3, securityVersion: 0 });
    const build = packed!.builds[0]!;
    expect(build.target.chipFamily).toBe('ESP32');
    expect(build.flash).toMatchObject({ erase: 'parts', flashSize: 16 * 1024 * 1024, flashMode: 'dio', flashFreq: '80m' });
    expect(build.flash!.parts.map((p) => [p.path, p.offset])).toEqual([
      ['bootloader/bootloader.bin', 0x1000], ['Application.bin', 0x10000], ['partition_table/partition-table.bin', 0x8000],
    ]);
    expect(build.ota).toEqual({ kind: 'either', image: 'Application.bin' });
    const zipped = await entries('application.zip');
    expect([...zipped.keys()].sort()).toEqual(['Application.bin', 'bootloader/bootloader.bin', 'fieldflash.json', 'partition_table/partition-table.bin']);
    expect(zipped.get('Application.bin')!.equals(readFileSync(join(FIXTURE, 'Application.bin')))).toBe(true);
    expect(await releaseTrust(packed!, [], { allowUnsigned: false })).toMatchObject({ verdict: 'refused', reason: 'unsigned' });
  });

  it('packs a MicroPython source tree, leaving out hidden files and bytecode caches', async () => {
    mkdirSync(at('tree/lib'), { recursive: true });
    mkdirSync(at('tree/__pycache__'));
    writeFileSync(at('tree/main.py'), 'from lib import util\nprint(util.X)\n');
    writeFileSync(at('tree/lib/util.py'), 'X = 1\n');
    writeFileSync(at('tree/__pycache__/util.cpython-312.pyc'), 'cache');
    writeFileSync(at('tree/.DS_Store'), 'finder');
    const { code } = await release(
      'pack', '--source-tree', 'tree', '--product', 'Bench Thing', '--version', '1.0.0', '--sequence', '1', '--security-version', '0',
      '--device-local', 'env.py', '--out', 'tree.zip', '--sign', `${ED25519}.key.pem`,
    );
    expect(code).toBe(0);
    const [packed] = await readZip('tree.zip');
    expect(packed!.builds[0]).toEqual({ target: { runtime: { name: 'micropython' } }, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } });
    expect(packed!.files.filter((f) => f.role === 'source').map((f) => f.path)).toEqual(['src/lib/util.py', 'src/main.py']);
    expect(await releaseTrust(packed!, [await publicKey(`${ED25519}.pub.json`)], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted' });
  });

  it('signs a packed release without changing a byte of the manifest or the files, and replaces an older signature', async () => {
    const before = await entries('application.zip');
    const first = await release('sign', 'application.zip', '--key', `${ecdsa}.key.pem`, '--public', `${ecdsa}.pub.json`);
    expect(first.code).toBe(0);
    const p256 = await publicKey(`${ecdsa}.pub.json`);
    expect(first.out).toContain(`with ecdsa-p256 key ${p256.keyId}`);
    const signed = await entries('application.zip');
    expect([...signed.keys()].sort()).toEqual([...before.keys(), 'fieldflash.json.sig'].sort());
    for (const [name, bytes] of before) expect(signed.get(name)!.equals(bytes), name).toBe(true);
    expect(JSON.parse(signed.get('fieldflash.json.sig')!.toString())).toMatchObject({ format: 'fieldflash-signature', algorithm: 'ecdsa-p256', keyId: p256.keyId });
    expect(await releaseTrust((await readZip('application.zip'))[0]!, [p256], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted' });

    // Signed again with the Ed25519 key, the public key derived from the private key: one signature, the new one.
    const again = await release('sign', 'application.zip', '--key', `${ED25519}.key.pem`, '--out', 'application-acme.zip');
    expect(again.code).toBe(0);
    const resigned = await entries('application-acme.zip');
    expect([...resigned.keys()].sort()).toEqual([...signed.keys()].sort());
    expect(JSON.parse(resigned.get('fieldflash.json.sig')!.toString())).toMatchObject({ algorithm: 'ed25519' });
    expect(resigned.get('fieldflash.json')!.equals(before.get('fieldflash.json')!)).toBe(true);

    const wrongPair = await release('sign', 'application.zip', '--key', `${ED25519}.key.pem`, '--public', `${ecdsa}.pub.json`, '--out', 'x.zip');
    expect(wrongPair.code).toBe(1);
    expect(wrongPair.err).toMatch(/is not the public half of/);
  });

  it('inspects a release as the app sees it, and checks its signature against trusted keys', async () => {
    mkdirSync(at('trusted'));
    cpSync(at(`${ED25519}.pub.json`), at('trusted/acme.pub.json'));
    const key = await publicKey(`${ED25519}.pub.json`);
    const [packed] = await readZip('widget.zip');
    const { code, out } = await release('inspect', 'widget.zip', '--trusted-keys', 'trusted');
    expect(code).toBe(0);
    expect(out).toMatch(/^Widget 1\.4\.0\n/);
    expect(out).toContain(`release id        ${packed!.id}`);
    expect(out).toMatch(/sequence {10}7\n {2}security version {2}2\n/);
    expect(out).toContain('ESP32, board widget-board: OTA image widget.bin; first install (erase parts): 0x1000 bootloader.bin, 0x8000 partition-table.bin, 0x10000 widget.bin');
    for (const file of packed!.files) expect(out).toMatch(new RegExp(`${file.role} +${file.size}  ${file.sha256}  ${file.path.replace(/\./g, '\\.')}\\n`));
    expect(out).toContain(`signature         ed25519, key ${key.keyId} (fieldflash.json.sig)`);
    expect(out).toContain(`verifies: trusted key "Acme release key", fingerprint ${formatFingerprint(key.fingerprint)}`);
    expect((await release('inspect', 'widget.zip')).out).toContain('not checked: pass --trusted-keys DIR');
  });

  it('verifies a trusted release (exit 0) and refuses an untrusted key, an unsigned release and a private key among trusted keys (exit 1)', async () => {
    const ok = await release('verify', 'widget.zip', '--trusted-keys', 'trusted');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^Trusted: Widget 1\.4\.0 is signed by ed25519 key [0-9a-f]{16} "Acme release key"/);

    const untrusted = await release('verify', 'widget.zip', '--key', `${ecdsa}.pub.json`);
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toMatch(/Not trusted: Widget 1\.4\.0\. The release is signed with key [0-9a-f]{16}, which this laptop does not trust\.\nTrusted keys given: /);

    await release('pack', '--product', 'Widget', '--version', '1.4.1', '--sequence', '8', '--app', 'files/widget.bin', '--out', 'unsigned.zip');
    const unsigned = await release('verify', 'unsigned.zip', '--trusted-keys', 'trusted');
    expect(unsigned.code).toBe(1);
    expect(unsigned.err).toMatch(/This release of Widget is not signed/);

    const privateAmongTrusted = await release('verify', 'widget.zip', '--trusted-keys', 'keys');
    expect(privateAmongTrusted.code).toBe(1);
    expect(privateAmongTrusted.err).toMatch(/acme-release-key\.key\.pem is a private key, in a folder of trusted public keys/);
  });

  it('refuses a zip in which one byte of a file, or of the manifest, was changed after signing', async () => {
    await rewriteEntry('widget.zip', 'tampered-file.zip', 'widget.bin', (bytes) => {
      const i = bytes.length - 100;
      bytes[i] = bytes[i]! ^ 0x01;
      return bytes;
    });
    const file = await release('verify', 'tampered-file.zip', '--trusted-keys', 'trusted');
    expect(file.code).toBe(1);
    expect(file.err).toMatch(/^widget\.bin does not match the SHA-256 in fieldflash\.json \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)\.\nThe file was changed or damaged after the release was made\. Do not flash it/);

    await rewriteEntry('widget.zip', 'tampered-manifest.zip', 'fieldflash.json', (bytes) => Buffer.from(bytes.toString('utf8').replace('"sequence": 7', '"sequence": 9')));
    const manifest = await release('verify', 'tampered-manifest.zip', '--trusted-keys', 'trusted');
    expect(manifest.code).toBe(1);
    expect(manifest.err).toMatch(/Not trusted: Widget 1\.4\.0\. The signature does not match the manifest: the release was changed after key [0-9a-f]{16} signed it\.\nDo not install it\./);
    for (const run of [file, manifest]) expect(run.err).not.toMatch(STACK_FRAME);
  });

  it('says what is wrong with the command line (exit 2)', async () => {
    const noKeys = await release('verify', 'widget.zip');
    expect(noKeys.code).toBe(2);
    expect(noKeys.err).toMatch(/^Say which keys to trust\.\nAdd --trusted-keys DIR/);
    const unknown = await release('verify', 'widget.zip', '--trusted', 'trusted');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown option '--trusted'/);
    const noSequence = await release('pack', '--app', 'files/widget.bin', '--out', 'no-sequence.zip');
    expect(noSequence.code).toBe(2);
    expect(noSequence.err).toMatch(/^--sequence is missing\./);
    expect((await release('frobnicate')).code).toBe(2);
  });

  it('shows each verb\'s help', async () => {
    for (const verb of ['keygen', 'pack', 'sign', 'inspect', 'verify']) {
      const help = await release(verb, '--help');
      expect(help.code, verb).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: npm run release -- ${verb}`));
    }
  });
});
