// What the caller asks of an update, what it gets back (the device's verdict), the error for an update that cannot
// be carried through, and what the phases of one update share while it runs.

import type { PairingKeySource } from './auth.ts';
import type { DeviceDocument } from './device-document.ts';
import type { HttpTarget, SignedTransport } from './http-transport.ts';
import type { ImageSource } from './image-source.ts';
import type { SignedReleaseFiles } from './signed-offer.ts';
import type { Throttle } from './throttle.ts';
import type { SourceTreeImage } from './tree-image.ts';
import type { UpdateOffer } from './update-messages.ts';
import type { UpdateProgress } from './update-progress.ts';
import type { PeerConnectionFactory } from './webrtc.ts';

/** What the release says about itself, for the device's compatibility and rollback checks. */
export type ReleaseFacts = Omit<UpdateOffer, 'sha256' | 'size' | 'images' | 'force' | 'release'>;

export interface UpdateOptions {
  /** The device's base URL, e.g. http://192.168.1.40:8070. */
  url: string;
  /** The pairing code or password, as typed; or give `keys`. */
  password?: string;
  /** Where the pairing key comes from instead of `password`: e.g. a KeptKeySource over the key kept at pairing. */
  keys?: PairingKeySource;
  /** Stable per installation of the client, so a reloaded client resumes its own session instead of being `busy`. */
  clientId: string;
  release: ReleaseFacts;
  /**
   * One image, or one per slot (RIOT style: slot0 for the device's first slot, slot1 for its second), or a source
   * tree, whose payload is built from the delta against the device's files once logged in (tree-update.ts).
   */
  image: ImageSource | [ImageSource, ImageSource] | SourceTreeImage;
  force?: boolean;
  /** The release's manifest and signature: sent with the offer to a device that verifies releases (§4.9). */
  signedRelease?: SignedReleaseFiles;
  transport?: 'http' | 'webrtc';
  /** Needed for `webrtc`: makes an RTCPeerConnection (the browser's, or node-datachannel's polyfill). */
  newPeerConnection?: PeerConnectionFactory;
  throttleKiBps?: number;
  /** Consecutive failed attempts before giving up (default 8); any progress resets the count. */
  attempts?: number;
  backoffMs?: { first: number; max: number };
  /**
   * Send and commit now, and have the device reboot into the image at this time (docs/protocol.md §5.1), e.g.
   * tonight at 02:00. scheduleUpdate() returns once the device has scheduled it; updateDevice() waits on to the
   * verdict. Needs the device's `scheduled-reboot` capability, and a time 1 s to 7 days ahead, both checked before a
   * byte is sent.
   */
  applyAt?: Date;
  /** How long to wait for the device's verdict after reboot (default 120 s). */
  verdictTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?(progress: UpdateProgress): void;
  fetch?: typeof fetch;
  fetchInit?: Record<string, unknown>;
  /** Makes the HTTP transport; the default uses fetch (Node programs may pass NodeHttpTransport). */
  httpTransport?: (target: HttpTarget) => SignedTransport;
}

export interface UpdateVerdict {
  outcome: 'confirmed' | 'rolled-back';
  sha256: string;
  version: string;
  /** The slot the image was written to. */
  slot: string;
  reason?: string;
  device: DeviceDocument;
}
