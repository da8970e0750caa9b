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

const CHOICE_VALUE = /<(?:input|option)\b[^>]*\svalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi;
// button.manifest = `./manifest_${radio.value}.json`, or setAttribute('manifest', `…${…}…`)
const MANIFEST_TEMPLATE = /manifest['"]?\s*[=,]\s*`([^`$]*)\$\{[^}`]*\}([^`$]*)`/g;
// button.manifest = "./manifest.json", or setAttribute('manifest', "…")
const MANIFEST_STRING = /\.manifest\s*=\s*(["'])([^"'`\s]+)\1|setAttribute\(\s*(["'])manifest\3\s*,\s*(["'])([^"'`\s]+)\4/g;

/**
 * Manifest URLs a page sets from script instead of an attribute, as ESP Web Tools' examples do: a template such as
 * `./manifest_${radio.value}.json` filled with each radio or option value on the page, and plain strings assigned
 * to the button's manifest. Candidates only: the caller keeps those that turn out to be manifests.
 */
export function scriptedManifests(html: string, pageUrl: string): string[] {
  const values = [...html.matchAll(CHOICE_VALUE)].map((m) => decodeEntities(m[1] ?? m[2] ?? m[3] ?? '').trim()).filter((v) => v !== '' && !/[\s"'`<>]/.test(v));
  const candidates: string[] = [];
  for (const [, before = '', after = ''] of html.matchAll(MANIFEST_TEMPLATE)) {
    for (const value of values) candidates.push(`${before}${value}${after}`);
  }
  for (const m of html.matchAll(MANIFEST_STRING)) candidates.push(m[2] ?? m[5] ?? '');
  const found: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    let url: string;
    try {
      url = new URL(candidate, pageUrl).href;
    } catch {
      continue;
    }
    if (!found.includes(url)) found.push(url);
  }
  return found;
}
