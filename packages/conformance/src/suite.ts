// Runs the checks against one device and prints one line per check and the summary line.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { SigningKey } from '@fieldflash/bundle';
import { CHECKS } from './checks/index.ts';
import { type Context, type Outcome, runChecks } from './harness.ts';
import { type Image, makeImage, Probe } from './probe.ts';

export interface SuiteOptions {
  url: string;
  password: string;
  /** A real image the device can boot, for the checks that reboot into it. */
  imagePath?: string;
  verdictTimeoutMs?: number;
  /** The Basic user of the compatibility endpoints (default admin). */
  compatUser?: string;
  /** A private key the device trusts (--signing-key): offers are signed with it, and §4.9 is checked. */
  signingKey?: SigningKey;
  /** Check numbers to run (1-based); all when absent. */
  only?: number[];
  write?: (line: string) => void;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  skipped: number;
  outcomes: Outcome[];
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const probe = new Probe(options.url.replace(/\/+$/, ''), options.password);
  const run = randomBytes(3).toString('hex');
  let counter = 0;
  let bootImage: Image | undefined;
  if (options.imagePath) {
    const bytes = new Uint8Array(readFileSync(options.imagePath));
    bootImage = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const first = await probe.device();
  write(`FieldFlash conformance of ${options.url}: ${first.id}, ${first.product} ${first.version} on ${first.chipFamily} ${first.board}, agent ${first.agentVersion}`);
  write(`capabilities: ${first.capabilities.join(', ')}`);
  if (first.capabilities.includes('signed-releases')) {
    if (options.signingKey) probe.releaseKey = options.signingKey;
    else write('the device installs signed releases only and no --signing-key was given: checks that send an image will be refused (signature-required)');
  }
  const makeContext = async (): Promise<Context> => {
    const doc = await probe.device();
    const transferSize = 3 * doc.chunk.size + 1234;
    return {
      probe,
      doc,
      clientId: (role = 'client') => `conformance-${run}-${++counter}-${role}`,
      // A fresh image each time unless a bootable one was given: the same bytes twice would be a reinstall.
      bootImage: () => bootImage ?? makeImage(transferSize),
      transferSize,
      verdictTimeoutMs: options.verdictTimeoutMs ?? 120_000,
      compatUser: options.compatUser ?? 'admin',
      ...(options.signingKey ? { signingKey: options.signingKey } : {}),
    };
  };
  const selected = CHECKS.map((check, index) => ({ check, number: index + 1 })).filter(({ number }) => !options.only || options.only.includes(number));
  const outcomes = await runChecks(selected.map((s) => s.check), makeContext, (outcome) => {
    const number = selected[outcome.number - 1]!.number;
    const mark = outcome.result === 'passed' ? 'ok  ' : outcome.result === 'failed' ? 'FAIL' : 'skip';
    const section = `§${outcome.check.section}`.padEnd(6);
    const slow = outcome.ms >= 1000 ? ` (${(outcome.ms / 1000).toFixed(1)} s)` : '';
    write(`${String(number).padStart(3)} ${mark} ${section} ${outcome.check.title}${slow}${outcome.detail ? `\n             ${outcome.result === 'failed' ? 'failed' : 'skipped'}: ${outcome.detail}` : ''}`);
  });
  probe.close();
  const count = (result: Outcome['result']) => outcomes.filter((o) => o.result === result).length;
  const result = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), outcomes };
  if (result.skipped) write(`${result.skipped} skipped (see the reasons above)`);
  write(`${result.passed} passed, ${result.failed} failed`);
  return result;
}
