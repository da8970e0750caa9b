// The native baseline: what Info-ZIP and coreutils take to check the same zip's CRCs and hash the same files.
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export function requireTools(): void {
  for (const tool of ['unzip', 'sha256sum']) {
    if (spawnSync(tool, ['-h'], { stdio: 'ignore' }).error) {
      console.error(`${tool} is missing: apt-get install ${tool === 'unzip' ? 'unzip' : 'coreutils'} (the benchmark's baseline needs it).`);
      process.exit(1);
    }
  }
}

/** Extracts once, outside any timing, so the hashing reads the same files the zip holds. */
export function extract(zipPath: string, into: string): void {
  execFileSync('unzip', ['-o', '-q', zipPath, '-d', into]);
}

/** Seconds for `unzip -t` (inflate and CRC-check every entry) plus `sha256sum` of the extracted files. */
export function nativeCheckSeconds(zipPath: string, files: readonly string[]): { unzip: number; sha256: number; total: number } {
  const t0 = performance.now();
  execFileSync('unzip', ['-tq', zipPath], { stdio: 'ignore' });
  const t1 = performance.now();
  execFileSync('sha256sum', [...files], { stdio: 'ignore' });
  const t2 = performance.now();
  return { unzip: (t1 - t0) / 1000, sha256: (t2 - t1) / 1000, total: (t2 - t0) / 1000 };
}
