// ESP Web Tools install pages: `<esp-web-install-button manifest="…">` names the manifest the page installs.

const BUTTON = /<esp-web-install-button\b([^>]*)>/gi;
const MANIFEST_ATTRIBUTE = /\smanifest\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
const BASE = /<base\b[^>]*\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html\b|<head\b|<body\b|<meta\b|<!--)/i.test(text) || /<esp-web-install-button\b/i.test(text);
}

/** The absolute manifest URLs an install page names, in page order, each once. */
export function installButtonManifests(html: string, pageUrl: string): string[] {
  const base = BASE.exec(html);
  const baseUrl = base ? new URL(decodeEntities(base[1] ?? base[2] ?? base[3] ?? ''), pageUrl).href : pageUrl;
  const found: string[] = [];
  for (const match of html.matchAll(BUTTON)) {
    const attribute = MANIFEST_ATTRIBUTE.exec(match[1] ?? '');
    const value = attribute ? decodeEntities(attribute[1] ?? attribute[2] ?? attribute[3] ?? '').trim() : '';
    if (!value) continue;
    const url = new URL(value, baseUrl).href;
    if (!found.includes(url)) found.push(url);
  }
  return found;
}
