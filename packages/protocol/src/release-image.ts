// Which image of a release goes to a device over the LAN: the OTA slot images of the build for the device's chip
// (one per slot, RIOT style, or one for either slot), or else the app part of its first-install layout.

import type { Build, Release, ReleaseFile } from '@fieldflash/bundle';
import { isSourceTreeBuild, sourceTreeFiles } from '@fieldflash/bundle/source-tree';
import { sourceTreeMismatch } from '@fieldflash/bundle/source-tree-fit';
import semver from 'semver';
import { blobImage, type ImageSource } from './image-source.ts';
import type { DeviceDocument } from './device-document.ts';
import { type SignedReleaseFiles, signedReleaseFiles } from './signed-offer.ts';
import type { SourceTreeImage } from './tree-image.ts';
import { UpdateError } from './update-error.ts';
import type { ReleaseFacts } from './update-options.ts';

export interface ReleasePlan {
  release: ReleaseFacts;
  /** The release's manifest and signature, when it is signed: the offer carries them (§4.9). */
  signedRelease?: SignedReleaseFiles;
  image: ImageSource | [ImageSource, ImageSource] | SourceTreeImage;
  /** In words: what will be sent, for the person running the update. */
  description: string;
}

const same = (a: string | undefined, b: string | undefined) => a?.toLowerCase() === b?.toLowerCase();

/** What the fit of a release is judged on: everything but its files' bytes (a library summary will do). */
export type ReleaseTargets = Pick<Release, 'product' | 'version' | 'builds' | 'appliesTo'>;

function buildFor(release: ReleaseTargets, device: DeviceDocument): Build {
  // A device that runs MicroPython takes the release's source tree when one fits it, else its firmware images.
  const trees = release.builds.filter(isSourceTreeBuild);
  const tree = trees.find((b) => sourceTreeMismatch(release, b, device) === undefined);
  if (tree) return tree;
  const images = release.builds.filter((b) => !isSourceTreeBuild(b));
  if (images.length === 0 && trees.length > 0) throw new UpdateError(sourceTreeMismatch(release, trees[0]!, device)!);
  const forChip = images.filter((b) => same(b.target.chipFamily, device.chipFamily));
  if (forChip.length === 0) {
    const chips = [...new Set(images.map((b) => b.target.chipFamily))].join(', ') || 'no chip';
    throw new UpdateError(`${release.product} ${release.version} is built for ${chips}; the device is an ${device.chipFamily}. Pick a release made for ${device.chipFamily}.`);
  }
  const build = forChip.find((b) => same(b.target.board, device.board)) ?? forChip.find((b) => b.target.board === undefined);
  if (!build) {
    const boards = forChip.map((b) => b.target.board).join(', ');
    throw new UpdateError(`${release.product} ${release.version} is built for the boards ${boards}; the device is a ${device.board}.`);
  }
  return build;
}

export function fileOf(release: Release, path: string): ReleaseFile {
  const file = release.files.find((f) => f.path === path);
  if (!file) throw new UpdateError(`${release.sourceName} names ${path}, but holds no such file.`);
  return file;
}

export function appPart(release: Release, build: Build): ReleaseFile {
  const parts = build.flash?.parts.map((p) => fileOf(release, p.path)) ?? release.files;
  const apps = parts.filter((f) => f.role === 'app' && !f.embedded?.length);
  if (apps.length !== 1) {
    throw new UpdateError(
      apps.length === 0
        ? `${release.sourceName} has no app image to send over the LAN (only a first-install layout or a merged flash image). Use a release with OTA images.`
        : `${release.sourceName} has ${apps.length} app images and no OTA section saying which one to send.`,
    );
  }
  return apps[0]!;
}

/**
 * The build of the release that fits the device (product, chip family, board, the release's `appliesTo` range over
 * the device's version, hardware revision), and the hardware revision to offer; throws UpdateError saying why the
 * release does not fit. Reads no file, so a view can ask it of every release in the library before a byte is sent.
 */
export function fittingBuild(release: ReleaseTargets, device: DeviceDocument): { build: Build; hardwareRevision?: string } {
  if (release.product && !same(release.product, device.product)) {
    throw new UpdateError(`${release.product} ${release.version} is a release of ${release.product}; the device runs ${device.product}. Pick a release of ${device.product}.`);
  }
  const build = buildFor(release, device);
  // The publisher's distribution policy: the device never sees it, so it is honoured here, before a byte is sent.
  // A pre-release a device runs counts by its place in SemVer order, as everywhere else in FieldFlash.
  if (release.appliesTo !== undefined && !semver.satisfies(device.version, release.appliesTo, { includePrerelease: true })) {
    throw new UpdateError(`${release.product} ${release.version} applies to devices running ${release.appliesTo}; this one runs ${device.version}.`);
  }
  const revisions = build.target.hardwareRevision;
  if (revisions === undefined) return { build };
  // The device compares one revision; a release may name a range, which is checked here instead.
  if (semver.valid(revisions)) return { build, hardwareRevision: revisions };
  const deviceRevision = semver.coerce(device.hardwareRevision);
  if (!deviceRevision || !semver.satisfies(deviceRevision, revisions)) {
    throw new UpdateError(`${release.product} ${release.version} supports hardware revisions ${revisions}; the device is revision ${device.hardwareRevision}.`);
  }
  return { build };
}

/** The offer's facts and the image(s) to send; throws UpdateError saying why a release does not suit the device. */
export function planRelease(release: Release, device: DeviceDocument): ReleasePlan {
  const plan = planImages(release, device);
  const signed = signedReleaseFiles(release);
  return signed ? { ...plan, signedRelease: signed } : plan;
}

function planImages(release: Release, device: DeviceDocument): ReleasePlan {
  const { build, hardwareRevision } = fittingBuild(release, device);
  const facts: ReleaseFacts = { product: release.product, version: release.version, chipFamily: build.target.chipFamily ?? device.chipFamily };
  if (release.sequence !== undefined) facts.sequence = release.sequence;
  if (release.securityVersion !== undefined) facts.securityVersion = release.securityVersion;
  if (build.target.board !== undefined) facts.board = build.target.board;
  if (hardwareRevision !== undefined) facts.hardwareRevision = hardwareRevision;
  if (isSourceTreeBuild(build)) return planTree(release, build, facts, device);
  const ota = build.ota;
  if (ota?.kind === 'per-slot') {
    const slot0 = fileOf(release, ota.slot0);
    const slot1 = fileOf(release, ota.slot1);
    return {
      release: facts,
      image: [blobImage(slot0.data, slot0.sha256), blobImage(slot1.data, slot1.sha256)],
      description: `${slot0.path} or ${slot1.path}, whichever matches the device's inactive slot`,
    };
  }
  const file = ota?.kind === 'either' ? fileOf(release, ota.image) : appPart(release, build);
  return { release: facts, image: blobImage(file.data, file.sha256), description: file.path };
}

/** A source tree goes to a device that takes trees over the LAN; which of its files are sent is known once logged in. */
function planTree(release: Release, build: Build & { sourceTree: NonNullable<Build['sourceTree']> }, facts: ReleaseFacts, device: DeviceDocument): ReleasePlan {
  if (!device.capabilities.includes('source-tree')) {
    throw new UpdateError(
      `${release.product} ${release.version} is a source tree, and this device's agent takes no source trees over the LAN (it lists no source-tree capability). Update the agent, or install the tree over USB; nothing was sent.`,
    );
  }
  const tree = build.sourceTree;
  const files = sourceTreeFiles(release.files, tree).map((f) => ({ ...f, data: fileOf(release, f.bundlePath).data }));
  facts.kind = 'source-tree';
  facts.runtime = { name: build.target.runtime!.name, ...(build.target.runtime!.minVersion ? { minVersion: build.target.runtime!.minVersion } : {}) };
  const image: SourceTreeImage = {
    kind: 'source-tree',
    version: release.version,
    entry: tree.entry,
    deviceLocal: tree.deviceLocal,
    files,
  };
  return { release: facts, image, description: `the source tree's ${files.length} ${files.length === 1 ? 'file' : 'files'}, those that differ from the device's` };
}
