// How much a bundle may hold before FieldFlash refuses it. Every limit can be overridden per call (ReadOptions.limits).

export interface BundleLimits {
  /** Sum of every file's uncompressed size, in bytes. The real defence against zip bombs. */
  maxTotalSize: number;
  /** Largest single file, in bytes. No ESP32-family chip addresses more than 128 MiB of flash. */
  maxFileSize: number;
  /**
   * Largest uncompressed/compressed ratio a zip entry may declare. Deflate cannot do better than about 1032:1,
   * so an honest entry, even a flash image that is all 0xFF padding, always passes; a header claiming more lies.
   */
  maxCompressionRatio: number;
  /** Most files in one bundle. */
  maxFiles: number;
  /** Largest file read as a possible manifest (JSON or key=value text). */
  maxManifestSize: number;
}

export const DEFAULT_LIMITS: Readonly<BundleLimits> = {
  maxTotalSize: 512 * 1024 * 1024,
  maxFileSize: 128 * 1024 * 1024,
  maxCompressionRatio: 1100,
  maxFiles: 10_000,
  maxManifestSize: 1024 * 1024,
};

export function resolveLimits(overrides: Partial<BundleLimits> | undefined): BundleLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export function formatBytes(n: number): string {
  if (n < 1024) return n === 1 ? '1 byte' : `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
