// pack: a FieldFlash release zip from loose files or an ESP-IDF build folder, with fieldflash.json listing every
// file's size, SHA-256 and role, the offsets and the counters; signed in the same step with --sign.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { parseChipFamily, type NativeReleaseSpec, type SigningKey } from '@fieldflash/bundle';
import { refuseToReplace, writeWhole } from './bundle-file.ts';
import { describeSignature } from './inspect.ts';
import { readSigningKey } from './key-files.ts';
import { existingFile, existingFolder, parsed } from './options.ts';
import { packRelease } from './pack-release.ts';
import { planFromFiles } from './pack-files.ts';
import { planFromIdfBuild } from './pack-idf-build.ts';
import { usageProblem } from './problem.ts';
import { releaseFacts } from './release-facts.ts';
import { describeRelease } from './release-summary.ts';
import type { Verb } from './verb.ts';

const USAGE = `Usage: npm run release -- pack [what] [facts] [--out FILE.zip [--force]] [--sign KEY.key.pem [--public KEY.pub.json]]
What the release holds, one of:
  --app FILE                    one OTA image for either slot
  --slot0 FILE --slot1 FILE     an OTA image built for each slot
  --part OFFSET:FILE            a first-install part, e.g. --part 0x1000:bootloader.bin (repeatable; with --app too)
    --erase all|parts           what a first install erases first (default parts)
  --source-tree DIR             a MicroPython application: every file under DIR (main.py at its top)
    --device-local PATH         a device file an update never touches, e.g. env.py (repeatable)
  --idf-build DIR               an ESP-IDF build/ folder: flasher_args.json and the files it names
Facts (product, version and security version default from the app image's description):
  --product NAME  --version SEMVER  --sequence N (required)  --security-version N
  --chip FAMILY (e.g. ESP32; default: the app image's chip)  --board NAME  --hardware-revision RANGE
  --applies-to RANGE (device versions the release is for, e.g. ">=1.2.0 <2.0.0")  --notes TEXT
Output:
  --out FILE.zip                default <product>-<version>.zip; never replaced without --force
  --sign KEY                    sign with this private key (see sign --help)`;

const OPTIONS = {
  product: { type: 'string' },
  version: { type: 'string' },
  sequence: { type: 'string' },
  'security-version': { type: 'string' },
  chip: { type: 'string' },
  board: { type: 'string' },
  'hardware-revision': { type: 'string' },
  'applies-to': { type: 'string' },
  notes: { type: 'string' },
  app: { type: 'string' },
  slot0: { type: 'string' },
  slot1: { type: 'string' },
  part: { type: 'string', multiple: true },
  erase: { type: 'string' },
  'source-tree': { type: 'string' },
  'device-local': { type: 'string', multiple: true },
  'idf-build': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean', default: false },
  sign: { type: 'string' },
  public: { type: 'string' },
} as const;

const fileName = (product: string, version: string) => `${product.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'release'}-${version}.zip`;

export const pack: Verb = {
  name: 'pack',
  summary: 'make a FieldFlash release zip from files or an ESP-IDF build',
  usage: USAGE,
  async run(argv, output) {
    const { values, positionals } = parsed(() => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
    if (positionals.length > 0) throw usageProblem(`pack takes its files through options, not as ${positionals.join(' ')}.`, 'For example: --app build/widget.bin, or --idf-build build/');
    if (values.public !== undefined && values.sign === undefined) throw usageProblem('--public goes with --sign.');
    // The key is read first: a wrong key stops the run before anything is hashed or written.
    let key: SigningKey | undefined;
    if (values.sign !== undefined) key = await readSigningKey(existingFile('--sign', values.sign), values.public === undefined ? undefined : existingFile('--public', values.public), output.warn);

    const idfBuild = values['idf-build'];
    if (idfBuild !== undefined && (values.app || values.slot0 || values.slot1 || values.part || values['source-tree'])) {
      throw usageProblem('--idf-build takes every file from the build folder: leave out --app, --slot0/--slot1, --part and --source-tree.');
    }
    const plan = idfBuild !== undefined ? await planFromIdfBuild(existingFolder('--idf-build', idfBuild)) : planFromFiles(values, values.chip);
    if (idfBuild !== undefined && values.chip !== undefined && parseChipFamily(values.chip) !== plan.target.chipFamily) {
      throw usageProblem(`--chip says ${values.chip}, but ${idfBuild}/flasher_args.json builds for ${plan.target.chipFamily}.`, 'Leave --chip out: the build says which chip it is for.');
    }
    if (values.board !== undefined) plan.target.board = values.board;
    const revision = values['hardware-revision'];
    if (revision !== undefined) {
      if (semver.validRange(revision) === null) throw usageProblem(`--hardware-revision: "${revision}" is not a SemVer range.`, 'For example: --hardware-revision ">=2.0.0 <4.0.0"');
      plan.target.hardwareRevision = revision;
    }
    const facts = releaseFacts(values, plan, output.warn);
    const spec: NativeReleaseSpec = { ...facts, ...(values.notes ? { releaseNotes: values.notes } : {}), targets: [plan.target], files: plan.files };

    const out = values.out ?? fileName(facts.product, facts.version);
    if (!out.toLowerCase().endsWith('.zip')) throw usageProblem(`--out: ${out} should end in .zip, the file FieldFlash opens.`);
    refuseToReplace(out, values.force);
    const { release, zip } = await packRelease(spec, basename(out), key);
    writeWhole(out, zip);
    for (const line of describeRelease(release)) output.out(line);
    for (const line of await describeSignature(release, key ? [key.publicKey] : undefined)) output.out(line);
    output.out(`Wrote ${out} (${zip.length} bytes)${key ? '' : '; unsigned: sign it with `npm run release -- sign`'}`);
    return 0;
  },
};
