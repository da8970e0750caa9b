// What `pack` gathered before the counters are settled: the files, the one target they make, and the app image
// whose description can stand in for --product, --version and --security-version.
import type { AppDescription, NativeReleaseSpec, NativeTargetSpec } from '@fieldflash/bundle';

export type PackFile = NativeReleaseSpec['files'][number];

export interface PackPlan {
  files: PackFile[];
  target: NativeTargetSpec;
  app?: { path: string; description: AppDescription };
}
