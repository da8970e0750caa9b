// The source trees the "Copy files to MicroPython" panel offers: the library's source-tree releases that fit the
// board on the console (its MicroPython version, read from its banner, and its chip family), newest first, and the
// others listed with the reason; then FieldFlash's built-in demo app.
import { compareReleasesNewestFirst, sourceTreeMismatch, type Build, type ChipFamily, type SourceTree as TreeOfBuild } from '@fieldflash/bundle';
import { sourceTreeFiles } from '@fieldflash/bundle/source-tree';
import type { AgentIdentity } from '../micropython/agent-install.ts';
import { demoTree, DEMO_VERSIONS } from '../micropython/demo-trees.ts';
import type { SourceTree } from '../micropython/tree-install.ts';
import type { ReleaseSummary } from '../store/index.ts';
import { releaseForInstall } from '../trust/install-check.ts';

/** What the agent reports when installed with a tree: the tree's release, less what the board itself says. */
export type TreeIdentity = Pick<AgentIdentity, 'product' | 'version' | 'sequence' | 'securityVersion'> & { board?: string };

/** A tree the panel offers: its label, what the agent reports with it, and how to get its files when chosen. */
export interface TreeChoice {
  id: string;
  label: string;
  identity: TreeIdentity;
  /** The library release it comes from; absent for the demo tree FieldFlash carries itself. */
  release?: ReleaseSummary;
  load(): Promise<SourceTree>;
}

/** A source-tree release in the library that does not suit the board, and why. */
export interface RefusedTree {
  id: string;
  label: string;
  reason: string;
}

/** The board on the console: MicroPython's version from its banner, the chip from the serial bootloader. */
export interface BoardRuntime {
  version: string;
  chipFamily: ChipFamily | undefined;
}

export interface TreeChoices {
  offered: TreeChoice[];
  refused: RefusedTree[];
}

/** The library's trees for this board, newest first, then the built-in demo app. */
export function treeChoicesFor(releases: readonly ReleaseSummary[], board: BoardRuntime): TreeChoices {
  const offered: TreeChoice[] = [];
  const refused: RefusedTree[] = [];
  for (const release of [...releases].sort(compareReleasesNewestFirst)) {
    const builds = release.builds.filter((b): b is Build & { sourceTree: TreeOfBuild } => b.sourceTree !== undefined);
    if (builds.length === 0) continue;
    const label = `${release.product} ${release.version}`;
    const reasons = builds.map((build) => ({ build, reason: mismatch(release, build, board) }));
    const fit = reasons.find((r) => r.reason === undefined);
    if (!fit) {
      refused.push({ id: release.id, label, reason: reasons[0]!.reason! });
      continue;
    }
    offered.push({
      id: release.id,
      label,
      identity: {
        product: release.product,
        version: release.version,
        sequence: release.sequence ?? 1,
        securityVersion: release.securityVersion ?? 0,
        ...(fit.build.target.board ? { board: fit.build.target.board } : {}),
      },
      release,
      load: () => loadTree(release.id, label, fit.build.sourceTree),
    });
  }
  return { offered: [...offered, ...demoChoices()], refused };
}

/**
 * Why the build does not suit the board, or undefined. The banner names the module ("Generic ESP32 module"), not a
 * board name a release would use, so a tree that names a board is taken at its word.
 */
function mismatch(release: ReleaseSummary, build: Build, board: BoardRuntime): string | undefined {
  return sourceTreeMismatch(release, build, {
    chipFamily: board.chipFamily ?? build.target.chipFamily ?? '',
    board: build.target.board ?? '',
    runtime: { name: 'micropython', version: board.version },
  });
}

/** The release's tree with its files' bytes from the library, each at its path on the board. */
async function loadTree(id: string, label: string, tree: TreeOfBuild): Promise<SourceTree> {
  // The library copy's digests and the release's trust are checked again right before the copy.
  const release = await releaseForInstall(id);
  if (!release) throw new Error(`${label} is no longer in the library`);
  const data = new Map(release.files.map((f) => [f.path, f.data]));
  return {
    label,
    version: release.version,
    files: sourceTreeFiles(release.files, tree).map((f) => ({ path: f.path, data: data.get(f.bundlePath)!, sha256: f.sha256 })),
    deviceLocal: tree.deviceLocal,
    entry: tree.entry,
  };
}

function demoChoices(): TreeChoice[] {
  return DEMO_VERSIONS.map((version, i) => ({
    id: `demo-${version}`,
    label: `Demo app ${version}`,
    identity: { product: 'FieldFlash demo app', version, sequence: i + 1, securityVersion: 0 },
    load: () => demoTree(version),
  }));
}
