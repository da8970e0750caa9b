// Addresses from outside (a device's Improv answer, a manifest, a device document) may be anything. Only an http(s)
// address becomes a link; anything else (javascript:, data:, a bare word) stays text, so a click never runs it.

/** The address as a link target when it is an http(s) URL, else undefined. */
export function webHref(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
