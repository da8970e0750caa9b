// Which image of a release a device in compatibility mode gets. Such a device says nothing about itself (no chip,
// no board, no inactive slot), so each build of the release offers its one app image: the OTA image for either
// slot, or else the app part of its first-install layout. An ESP app image runs from either OTA slot; a release
// that links one image per slot (RIOT style) and has no such app part cannot be sent this way.

import type { Build, Release, ReleaseFile } from '@fieldflash/bundle';
import { appPart, fileOf } from './release-image.ts';
import { UpdateError } from './update-error.ts';

export interface CompatImage {
  /** "ESP32" or "ESP32-C3, board esp32-c3-devkitm-1": which build, for people, when a release has several. */
  build: string;
  file: ReleaseFile;
}

export function compatBuildName(build: Build): string {
  return [build.target.chipFamily, build.target.board ? `board ${build.target.board}` : undefined].filter(Boolean).join(', ');
}

/** The image of one build; throws UpdateError saying why there is none to send. */
export function compatImageOf(release: Release, build: Build): CompatImage {
  if (build.ota?.kind === 'either') return { build: compatBuildName(build), file: fileOf(release, build.ota.image) };
  if (build.ota?.kind === 'per-slot' && !build.flash) {
    throw new UpdateError(`${release.product} ${release.version} links one image per slot, and a device in compatibility mode does not say which slot is free.`);
  }
  return { build: compatBuildName(build), file: appPart(release, build) };
}

/** One image per build of the release, or the reason it has none to send in compatibility mode. */
export function compatImages(release: Release): CompatImage[] {
  if (release.builds.length === 0) throw new UpdateError(`${release.product} ${release.version} has no build to send.`);
  return release.builds.map((build) => compatImageOf(release, build));
}
