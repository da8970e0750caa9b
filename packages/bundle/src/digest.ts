// SHA-256 through WebCrypto (global in browsers and Node 20): native speed, no dependency.

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource)));
}

export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/i.test(s);
}
