// A request the browser refused to send, told apart from a device that did not answer. fetch rejects both with the
// same TypeError ("Failed to fetch"); only the console says why. What the page can see instead: its own scheme and
// the device's (mixed content), and the state of Chrome's Local Network Access permission for the target's address
// space (Chrome 142 and later name it `local-network` or `loopback-network`; 141 only `local-network-access`).

import type { TargetAddressSpace } from './address-space.ts';

export type BlockReason = 'local-network-permission' | 'mixed-content';

/** The browser stopped the request before it left the page: nothing reached the device, and trying again will not help. */
export class RequestBlocked extends Error {
  constructor(
    readonly reason: BlockReason,
    readonly url: string,
    /** The address space the request declared (`targetAddressSpace`), if any. */
    readonly addressSpace: TargetAddressSpace | undefined,
    options?: { cause?: unknown },
  ) {
    super(blockMessage(reason, url, addressSpace), options);
    this.name = 'RequestBlocked';
  }
}

function blockMessage(reason: BlockReason, url: string, space: TargetAddressSpace | undefined): string {
  const host = new URL(url).host;
  if (reason === 'mixed-content') return `The browser blocked the request to ${host} as mixed content: this page is served over https, the device over plain http.`;
  const what = space === 'loopback' ? 'programs on this computer' : 'devices on the local network';
  return `The browser blocked the request to ${host}: this page's permission to reach ${what} (Local Network Access) is refused.`;
}

/** Hosts a browser treats as potentially trustworthy over plain http, so never mixed content: 127.0.0.0/8, ::1, localhost. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/**
 * Whether a page at `pageUrl` is kept from requesting the device at `url` as mixed content. Chrome's Local Network
 * Access exempts a request that declares its `targetAddressSpace` (and, since 141, one to a private IP literal or
 * a `.local` name); a browser without it blocks every http request from an https page, loopback aside.
 */
export function isMixedContent(pageUrl: string, url: string, declared: TargetAddressSpace | undefined, browserDeclaresSpace: boolean): boolean {
  const target = new URL(url);
  if (new URL(pageUrl).protocol !== 'https:' || target.protocol !== 'http:' || isLoopbackHost(target.hostname)) return false;
  return declared === undefined || !browserDeclaresSpace;
}

const PERMISSION_NAMES: Record<TargetAddressSpace, string> = { loopback: 'loopback-network', local: 'local-network' };

/** The Local Network Access permission's state for the address space, or undefined where the browser has none. */
export async function localNetworkPermission(space: TargetAddressSpace | undefined): Promise<PermissionState | undefined> {
  const permissions = (globalThis as { navigator?: { permissions?: Permissions } }).navigator?.permissions;
  if (!permissions) return undefined;
  const names = space ? [PERMISSION_NAMES[space], 'local-network-access'] : ['local-network', 'loopback-network', 'local-network-access'];
  const states: PermissionState[] = [];
  for (const name of names) {
    try {
      states.push((await permissions.query({ name } as unknown as PermissionDescriptor)).state);
      // The split name answers for its own space; the older combined one is only asked where the split one is unknown.
      if (space) break;
    } catch {
      // An unknown permission name (another browser, an older Chrome): try the next one.
    }
  }
  if (states.length === 0) return undefined;
  return states.includes('denied') ? 'denied' : states.includes('prompt') ? 'prompt' : 'granted';
}

/**
 * Why the browser blocked a fetch to `url` that rejected with `error`, or undefined for a failure on the network
 * (refused, reset, timed out). Only a page can be blocked; in Node this is always undefined.
 */
export async function whyBlocked(url: string, declared: TargetAddressSpace | undefined, error: unknown): Promise<BlockReason | undefined> {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  if (!page || !(error instanceof TypeError)) return undefined;
  const browserDeclaresSpace = typeof Request !== 'undefined' && 'targetAddressSpace' in Request.prototype;
  // Chrome checks mixed content first: such a request never reaches the permission check.
  if (isMixedContent(page, url, declared, browserDeclaresSpace)) return 'mixed-content';
  if ((await localNetworkPermission(declared)) === 'denied') return 'local-network-permission';
  return undefined;
}
