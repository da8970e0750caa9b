// Many updates, at most `limit` at a time: the rest wait in order and start as places free up.
import { describe, expect, test } from 'vitest';
import { UpdateQueue } from '../../src/devices/update-queue.ts';

/** A job the test ends by hand, recording when it started. */
function gate(started: string[], key: string) {
  let end!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    end = resolve;
    fail = reject;
  });
  return { job: () => (started.push(key), done), end, fail };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the update queue', () => {
  test('runs at most the limit at once; the others wait in order and start as each one ends', async () => {
    const started: string[] = [];
    const queue = new UpdateQueue<string>(2);
    const jobs = Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, gate(started, k)]));
    for (const [key, g] of Object.entries(jobs)) queue.enqueue(key, g.job);
    expect(started).toEqual(['a', 'b']);
    expect(queue.state()).toEqual({ running: ['a', 'b'], waiting: ['c', 'd'] });
    expect(queue.position('c')).toEqual({ place: 1, of: 2 });
    expect(queue.position('d')).toEqual({ place: 2, of: 2 });
    expect(queue.position('a')).toBeUndefined();

    jobs.b!.end();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(queue.state()).toEqual({ running: ['a', 'c'], waiting: ['d'] });
    expect(queue.position('d')).toEqual({ place: 1, of: 1 });
  });

  test('a job that fails, or throws before its promise, frees its place like one that succeeds', async () => {
    const started: string[] = [];
    const queue = new UpdateQueue<string>(1);
    const first = gate(started, 'first');
    queue.enqueue('first', first.job);
    queue.enqueue('throws', () => {
      started.push('throws');
      throw new Error('at once');
    });
    const last = gate(started, 'last');
    queue.enqueue('last', last.job);
    first.fail(new Error('device gone'));
    await settle();
    await settle();
    expect(started).toEqual(['first', 'throws', 'last']);
    expect(queue.state()).toEqual({ running: ['last'], waiting: [] });
  });

  test('a raised limit starts waiting jobs at once; a lowered one lets running jobs finish and starts none until below it', async () => {
    const started: string[] = [];
    const queue = new UpdateQueue<string>(1);
    const jobs = ['a', 'b', 'c', 'd'].map((k) => gate(started, k));
    jobs.forEach((g, i) => queue.enqueue('abcd'[i]!, g.job));
    queue.setLimit(3);
    expect(started).toEqual(['a', 'b', 'c']);
    queue.setLimit(1);
    jobs[0]!.end();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    jobs[1]!.end();
    jobs[2]!.end();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  test('the same key is not queued twice, and a waiting one can be withdrawn', () => {
    const started: string[] = [];
    const queue = new UpdateQueue<string>(1);
    expect(queue.enqueue('a', gate(started, 'a').job)).toBe(true);
    expect(queue.enqueue('a', gate(started, 'a').job)).toBe(false);
    expect(queue.enqueue('b', gate(started, 'b').job)).toBe(true);
    expect(queue.enqueue('b', gate(started, 'b').job)).toBe(false);
    expect(queue.withdraw('b')).toBe(true);
    expect(queue.withdraw('a')).toBe(false);
    expect(queue.state()).toEqual({ running: ['a'], waiting: [] });
  });

  test('tells listeners of every change, and refuses a limit that is not a whole number from 1 to 16', async () => {
    const queue = new UpdateQueue<string>(1);
    const seen: string[] = [];
    queue.subscribe((s) => seen.push(`${s.running.join()}|${s.waiting.join()}`));
    const a = gate([], 'a');
    queue.enqueue('a', a.job);
    queue.enqueue('b', gate([], 'b').job);
    a.end();
    await settle();
    expect(seen.at(-1)).toBe('b|');
    expect(seen).toContain('a|b');
    for (const bad of [0, -1, 1.5, 17, Number.NaN]) expect(() => queue.setLimit(bad)).toThrow(/whole number from 1 to 16/);
  });
});
