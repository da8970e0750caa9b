// Chrome's Local Network Access asks a public page to declare where a request goes (`targetAddressSpace`), and
// blocks it when the declaration does not match: 'loopback' for 127.0.0.0/8, ::1 and localhost; 'local' for
// private networks (RFC 1918, IPv6 unique-local and link-local) and mDNS `.local` names. Other hosts get nothing.

export type TargetAddressSpace = 'loopback' | 'local';

export function targetAddressSpace(url: string): TargetAddressSpace | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host)) return 'loopback';
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(host)) return 'local';
  if (/^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) return 'local';
  if (host.endsWith('.local')) return 'local';
  return undefined;
}
