// The verdict of a compatibility push, from what the device reports while it restarts: the new version, the old one
// for good (after it went away, or after it tested the image), or nothing at all. The reader replays what a device
// would answer in turn; the versions to expect include the one an ESP app image names in its app descriptor.
import { pseudoRandomBytes, writeAppImage } from '@fieldflash/bundle';
import { describe, expect, test } from 'vitest';
import { expectedVersions, LinkError, type ReportedVersion, sameVersion, UpdateError, waitForComeBack } from '../src/index.ts';

/** Answers in the order given; the last answer repeats. */
function device(...answers: Array<ReportedVersion | null | 'gone'>) {
  let i = 0;
  return async () => {
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    if (answer === 'gone') throw new LinkError('connection refused');
    return answer;
  };
}

const v = (version: string, settled = true): ReportedVersion => ({ version, settled });
const fast = { intervalMs: 1, graceMs: 60_000, timeoutMs: 5_000 };

describe('waiting for a device to come back after a compatibility upload', () => {
  test('gone while it restarts, then the new version: new-version', async () => {
    const verdict = await waitForComeBack({ ...fast, readVersion: device(v('1.0.0'), 'gone', 'gone', v('1.1.0')), expected: ['1.1.0'] });
    expect(verdict).toEqual({ outcome: 'new-version', version: '1.1.0', reason: 'The device came back reporting 1.1.0.' });
  });

  test('testing the image, then back on the old version: old-version, in words', async () => {
    const verdict = await waitForComeBack({ ...fast, readVersion: device(v('1.1.0', false), v('1.0.0')), expected: ['1.1.0'] });
    expect(verdict.outcome).toBe('old-version');
    expect(verdict.reason).toBe('The device came back reporting 1.0.0, not 1.1.0: it refused the image after the upload, or went back to its previous firmware.');
  });

  test('the old version, never seen going away, counts only after the grace period', async () => {
    const readVersion = device(v('1.0.0'), v('1.0.0'), v('1.0.0'), v('1.1.0'));
    expect(await waitForComeBack({ ...fast, readVersion, expected: ['1.1.0'] })).toMatchObject({ outcome: 'new-version' });
    expect(await waitForComeBack({ ...fast, graceMs: 0, readVersion: device(v('1.0.0')), expected: ['1.1.0'] })).toMatchObject({ outcome: 'old-version', version: '1.0.0' });
  });

  test('back, but reporting no version: unverified', async () => {
    expect(await waitForComeBack({ ...fast, readVersion: device('gone', null), expected: ['1.1.0'] })).toMatchObject({ outcome: 'unverified' });
  });

  test('never back: an UpdateError that says what to check', async () => {
    const error = await waitForComeBack({ intervalMs: 5, timeoutMs: 1000, readVersion: device('gone'), expected: ['1.1.0'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpdateError);
    expect((error as Error).message).toBe('The device did not come back within 1 s after the upload. Check that it is powered and on the network; it may still be restarting.');
  });

  test('versions compare as SemVer where they are, as text otherwise', () => {
    expect(sameVersion('v1.2.0', '1.2.0')).toBe(true);
    expect(sameVersion('1.2.0+build.7', '1.2.0')).toBe(true);
    expect(sameVersion('2024.6.1-dev', '2024.6.1')).toBe(false);
    expect(sameVersion('nightly', 'nightly')).toBe(true);
  });

  test("an ESP app image's own version is expected too, when it names another", async () => {
    const app = await writeAppImage({ chipFamily: 'ESP32', projectName: 'sensor', version: '2024.6.1', secureVersion: 0, payload: pseudoRandomBytes(1000, 1) });
    expect(await expectedVersions('1.4.0', new Blob([app as Uint8Array<ArrayBuffer>]))).toEqual(['1.4.0', '2024.6.1']);
    expect(await expectedVersions('1.4.0', new Blob(['not an image']))).toEqual(['1.4.0']);
  });
});
