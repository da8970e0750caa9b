// The simulated MicroPython board: the real interpreter (the WebAssembly port) behind the console UART, its
// friendly and raw REPL as mpremote sees them, soft reset running boot.py and main.py, and its filesystem kept
// in the flash's vfs partition across resets, power cuts and a saved flash image.
import { describe, expect, it } from 'vitest';
import { RawHost } from './helpers/raw-host.ts';
import { bootToRepl, exchange, flashedChip, VFS_OFFSET } from './helpers/micropython-board.ts';
import { decodeVfsImage } from '../src/micropython/vfs-image.ts';

const RAW_PROMPT = 'raw REPL; CTRL-B to exit\r\n>';

async function rawRepl(host: RawHost): Promise<void> {
  await exchange(host, '\r\x03\x03', '>>> ');
  await exchange(host, '\x01', RAW_PROMPT);
}

/** Runs `code` in the raw REPL; returns [stdout, stderr] as the board framed them. */
async function execRaw(host: RawHost, code: string): Promise<[string, string]> {
  const answer = await exchange(host, `${code}\x04`, /^OK[^]*\x04[^]*\x04>$/);
  const [out = '', err = ''] = answer.slice(2, -1).split('\x04');
  return [out, err];
}

function filesOnFlash(image: Uint8Array, size = 0x200000) {
  const contents = decodeVfsImage(image.subarray(VFS_OFFSET, VFS_OFFSET + size));
  if (contents.kind !== 'files') throw new Error(`vfs partition is ${contents.kind}`);
  return new Map(contents.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, new TextDecoder().decode(e.bytes)] as const] : [])));
}

describe('a simulated ESP32 running MicroPython', () => {
  it('boots into the friendly REPL with the board banner, sets up its filesystem once, and echoes what is typed', async () => {
    const chip = await flashedChip();
    const host = await bootToRepl(chip);
    const boot = host.text();
    expect(boot).toContain('Project name:     micropython');
    expect(boot).toContain('Performing initial setup\r\n');
    expect(boot).toMatch(/MicroPython v1\.27\.0 on \d{4}-\d\d-\d\d; Generic ESP32 module with ESP32\r\nType "help\(\)" for more information\.\r\n>>> $/);
    expect(chip.runsMicroPython).toBe(true);

    expect(await exchange(host, 'print(6 * 7)\r', '>>> ')).toBe('print(6 * 7)\r\n42\r\n>>> ');
    expect(await exchange(host, 'import os; os.listdir()\r', '>>> ')).toContain("['boot.py']");

    // The next boot finds the filesystem: no setup again, boot.py still there.
    host.clear();
    await bootToRepl(chip, host);
    expect(host.text()).not.toContain('Performing initial setup');
    expect(filesOnFlash(chip.readFlash(0, chip.flashSize)).get('boot.py')).toMatch(/^# This file is executed on every boot/);
    chip.dispose();
  });

  it('answers the raw REPL as mpremote expects: OK, stdout, \\x04, stderr, \\x04, >', async () => {
    const chip = await flashedChip();
    const host = await bootToRepl(chip);
    await rawRepl(host);
    expect(await execRaw(host, 'print("hello")\nprint(1 + 1)')).toEqual(['hello\r\n2\r\n', '']);
    const [out, err] = await execRaw(host, 'print("before")\n1 / 0');
    expect(out).toBe('before\r\n');
    expect(err).toBe('Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nZeroDivisionError: divide by zero\r\n');
    // hashlib and binascii, as an installer checks a file's digest with them.
    const [digest] = await execRaw(host, 'import hashlib, binascii\nprint(binascii.hexlify(hashlib.sha256(b"abc").digest()).decode())');
    expect(digest.trim()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // Ctrl-B: back to the friendly REPL with its banner.
    expect(await exchange(host, '\x02', '>>> ')).toMatch(/Generic ESP32 module with ESP32\r\nType "help\(\)" for more information\.\r\n>>> $/);
    chip.dispose();
  });

  it('answers a raw-paste request as a build without raw-paste (R\\x00), and the plain raw REPL goes on working', async () => {
    const chip = await flashedChip();
    const host = await bootToRepl(chip);
    await rawRepl(host);
    expect(await exchange(host, '\x05A\x01', 'R\x00')).toBe('R\x00');
    expect(await execRaw(host, 'print("after the probe")')).toEqual(['after the probe\r\n', '']);
    chip.dispose();
  });

  it('soft-resets on Ctrl-D: boot.py and main.py run, a traceback names main.py, and the REPL comes back', async () => {
    const chip = await flashedChip();
    const host = await bootToRepl(chip);
    await rawRepl(host);
    await execRaw(host, "f = open('main.py', 'w')\nf.write('print(\"app started\")\\nundefined_name\\n')\nf.close()");
    // A soft reset from the raw REPL stays in it and skips main.py, as on a board.
    expect(await exchange(host, '\x04', RAW_PROMPT)).toBe(`OK\r\nMPY: soft reboot\r\n${RAW_PROMPT}`);
    const friendly = await exchange(host, '\x02', '>>> ');
    expect(friendly).toContain('>>> ');
    const reboot = await exchange(host, '\x04', /Type "help\(\)" for more information\.\r\n>>> $/);
    expect(reboot).toContain(
      'MPY: soft reboot\r\napp started\r\nTraceback (most recent call last):\r\n  File "main.py", line 2, in <module>\r\nNameError: name \'undefined_name\' isn\'t defined\r\n',
    );
    // A fresh interpreter: nothing typed before the reset is defined any more.
    expect(await exchange(host, 'f\r', '>>> ')).toContain("NameError: name 'f' isn't defined");
    chip.dispose();
  });

  it('keeps its files across a pulled cable and into the saved flash, which another board boots with', async () => {
    const chip = await flashedChip();
    let host = await bootToRepl(chip);
    await rawRepl(host);
    await execRaw(host, "import os\nos.mkdir('lib')\nf = open('lib/app.py', 'w')\nf.write('VERSION = 1\\n')\nf.close()");
    // The cable comes out in the middle of the next command: it never ran, the last one stays.
    await host.write(new TextEncoder().encode("f = open('lib/app.py', 'w')\nf.write('VERSION = 2"));
    chip.unplug();
    chip.replug();
    host = await bootToRepl(chip);
    expect(await exchange(host, "print(open('lib/app.py').read())\r", '>>> ')).toContain('VERSION = 1\r\n');
    const image = chip.readFlash(0, chip.flashSize);
    expect(filesOnFlash(image).get('lib/app.py')).toBe('VERSION = 1\n');
    chip.dispose();

    const other = await flashedChip({ flashImage: image });
    const otherHost = await bootToRepl(other);
    expect(await exchange(otherHost, "import os; print(sorted(os.listdir()), os.listdir('lib'))\r", '>>> ')).toContain("['boot.py', 'lib'] ['app.py']");
    other.dispose();
  });

  it('raises OSError 28 when a write does not fit the vfs partition, and reports its size in statvfs', async () => {
    const chip = await flashedChip({ vfsSize: 0x10000 });
    const host = await bootToRepl(chip);
    await rawRepl(host);
    const [stat] = await execRaw(host, "import os\nprint(os.statvfs('/')[0], os.statvfs('/')[2])");
    expect(stat.trim()).toBe('4096 16');
    const [, err] = await execRaw(host, "f = open('big.bin', 'wb')\nfor i in range(20):\n    f.write(bytes(4096))");
    // ENOSPC is not in the ESP32 build's errno names either: a board prints the bare number.
    expect(err).toMatch(/OSError: 28\r\n$/);
    chip.dispose();
  });
});
