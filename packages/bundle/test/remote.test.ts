// Releases fetched from the web with Node's real fetch, from real HTTP servers on 127.0.0.1: a GitHub-Pages-like
// site serving the LOGIBUS DualOut release (manifest, install page, zip), and a second host for absolute part URLs.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  BundleError, changedInPlaceError, compareWithKept, describeChanges, fetchRelease, parseReleaseUrl, readBundle, readBundleFetchingParts, RemoteError,
  writeAppImage, writeBundleZip, type FetchProgress, type Release,
} from '../src/index.ts';
import { asFolder, fixtureFiles, zipFiles } from './helpers.ts';
import { installPage, scriptedInstallPage, startReleaseSite, type ReleaseSite } from './release-site.ts';
import { installButtonManifests } from '../src/remote/install-page.ts';
import { planParts } from '../src/remote/manifest-parts.ts';

const FOLDER = 'firmware_esp-idf-v5.1';
const files = fixtureFiles();
const manifestText = new TextDecoder().decode(files.find((f) => f.path === 'manifest.json')!.data);
let site: ReleaseSite;
let other: ReleaseSite;
let dropped: Release;

function publish(into: ReleaseSite, root: string): void {
  for (const f of files) into.put(`${root}${f.path}`, f.data);
  into.put(`${root}index.html`, installPage('LOGIBUS DualOut', 'manifest.json'));
}

function absoluteManifest(appUrl: string, version = '0.100'): string {
  const json = JSON.parse(manifestText);
  json.version = version;
  json.builds[0].parts[2].path = appUrl;
  return JSON.stringify(json, null, 2);
}

const online = { fetch: (input: string, init?: RequestInit) => fetch(input, init), isOnline: () => true };

beforeAll(async () => {
  [site, other] = await Promise.all([startReleaseSite({ cors: true }), startReleaseSite({ cors: false })]);
  dropped = (await readBundle({ name: 'logibus', files: asFolder(files) }))[0]!;
});
afterAll(async () => {
  await Promise.all([site?.close(), other?.close()]);
});
beforeEach(async () => {
  publish(site, '/logibus/');
  site.put('/logibus/release.zip', new Uint8Array(await (await zipFiles(files)).arrayBuffer()));
  site.requests.length = 0;
  other.requests.length = 0;
});

describe('adding a release from its address', () => {
  test('a manifest URL gives the same release as the dropped folder, every part fetched beside the manifest', async () => {
    const progress: FetchProgress[] = [];
    const { releases, manifests } = await fetchRelease(`${site.origin}/logibus/manifest.json`, { ...online, onProgress: (p) => progress.push(p) });
    expect(releases).toHaveLength(1);
    const release = releases[0]!;
    expect(release.id).toBe(dropped.id);
    expect(release.version).toBe('0.100.0');
    expect(manifests).toEqual([`${site.origin}/logibus/manifest.json`]);
    expect(site.requests).toEqual(['/logibus/manifest.json', ...['bootloader.bin', 'partition-table.bin', 'Application.bin'].map((n) => `/logibus/${FOLDER}/${n}`)]);
    // The stored manifest is the published one, byte for byte.
    expect(await release.files.find((f) => f.role === 'manifest')!.data.text()).toBe(manifestText);

    const downloads = progress.filter((p) => p.phase === 'download');
    const last = downloads.at(-1)!;
    const partBytes = files.filter((f) => f.path !== 'manifest.json').reduce((n, f) => n + f.data.length, 0);
    expect(last).toMatchObject({ partsTotal: 3, partsDone: 2, current: 'Application.bin', currentDone: 2049184, currentTotal: 2049184 });
    expect(last.bytesDone).toBe(partBytes + manifestText.length);
    // Bytes only grow, and verification runs after the download.
    const bytes = downloads.map((p) => p.bytesDone);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(progress.at(-1)).toMatchObject({ phase: 'verify', done: 3, total: 3 });
  });

  test('an install page names its manifest in <esp-web-install-button>; "/logibus" is redirected as GitHub Pages does', async () => {
    const { releases, manifests } = await fetchRelease(`${site.origin}/logibus`, online);
    expect(releases.map((r) => r.id)).toEqual([dropped.id]);
    expect(manifests).toEqual([`${site.origin}/logibus/manifest.json`]);
    expect(site.requests.slice(0, 3)).toEqual(['/logibus', '/logibus/', '/logibus/manifest.json']);
  });

  test('an install page that picks its manifest by script: every variant it can build that exists is read', async () => {
    // As the project publishes it: the manifest under its own name, the page choosing it by radio button.
    site.put('/picker/manifest_logibus_dualout_esp32_esp-idf-v5.1.json', manifestText);
    for (const f of files.filter((x) => x.path !== 'manifest.json')) site.put(`/picker/${f.path}`, f.data);
    site.put('/picker/index.html', scriptedInstallPage('LOGIBUS-ESP32 installer', [
      { value: 'logibus_dualout_esp32_esp-idf-v5.0', label: 'DualOut esp-idf-v5.0' },
      { value: 'logibus_dualout_esp32_esp-idf-v5.1', label: 'DualOut esp-idf-v5.1' },
    ]));
    const { releases, manifests } = await fetchRelease(`${site.origin}/picker/`, online);
    expect(manifests).toEqual([`${site.origin}/picker/manifest_logibus_dualout_esp32_esp-idf-v5.1.json`]);
    expect(site.requests).toContain('/picker/manifest_logibus_dualout_esp32_esp-idf-v5.0.json'); // tried, 404, skipped
    expect(releases.map((r) => [r.product, r.version, r.manifestPath])).toEqual([[dropped.product, '0.100.0', 'manifest_logibus_dualout_esp32_esp-idf-v5.1.json']]);
    expect(releases[0]!.notes.map((n) => n.message)).toContain(
      `The install page ${site.origin}/picker/ picks its manifest by script; FieldFlash read ${site.origin}/picker/manifest_logibus_dualout_esp32_esp-idf-v5.1.json from it.`,
    );
    expect(releases[0]!.files.map((f) => f.sha256).sort()).toEqual(dropped.files.map((f) => f.sha256).sort());
  });

  test('a release zip URL is read as a dropped zip', async () => {
    const { releases, manifests } = await fetchRelease(`${site.origin}/logibus/release.zip`, online);
    expect(releases.map((r) => r.id)).toEqual([dropped.id]);
    expect(manifests).toEqual([]);
  });

  test('a part given as an absolute URL on another host is fetched from there and kept beside the manifest; the export re-imports as the same release', async () => {
    other.put('/builds/Application.bin', files.find((f) => f.path.endsWith('Application.bin'))!.data);
    site.put('/logibus/absolute/manifest.json', absoluteManifest(`${other.origin}/builds/Application.bin`));
    site.put('/logibus/absolute/firmware_esp-idf-v5.1/bootloader.bin', files.find((f) => f.path.endsWith('bootloader.bin'))!.data);
    site.put('/logibus/absolute/firmware_esp-idf-v5.1/partition-table.bin', files.find((f) => f.path.endsWith('partition-table.bin'))!.data);
    const [release] = (await fetchRelease(`${site.origin}/logibus/absolute/manifest.json`, online)).releases;
    expect(other.requests).toEqual(['/builds/Application.bin']);
    expect(release!.files.map((f) => f.path).sort()).toEqual(['Application.bin', `${FOLDER}/bootloader.bin`, `${FOLDER}/partition-table.bin`, 'manifest.json']);
    const stored = JSON.parse(await release!.files.find((f) => f.role === 'manifest')!.data.text());
    expect(stored.builds[0].parts[2]).toEqual({ path: 'Application.bin', offset: 65536 });
    expect(release!.notes.map((n) => n.message).join('\n')).toContain(`names a part at ${other.origin}/builds/Application.bin; FieldFlash keeps it in the release as Application.bin`);
    expect(release!.builds[0]!.flash!.parts.map(({ path, offset }) => ({ path, offset }))).toEqual([
      { path: `${FOLDER}/bootloader.bin`, offset: 0x1000 },
      { path: `${FOLDER}/partition-table.bin`, offset: 0x8000 },
      { path: 'Application.bin', offset: 0x10000 },
    ]);
    const [again] = await readBundle({ name: 'export.zip', data: await writeBundleZip(release!) });
    expect(again!.id).toBe(release!.id);
    expect(again!.files.find((f) => f.path === 'Application.bin')!.sha256).toBe(dropped.files.find((f) => f.path.endsWith('Application.bin'))!.sha256);
  });

  test('a dropped manifest whose parts are URLs has them fetched, and is then verified as a folder', async () => {
    const manifest = absoluteManifest(`${other.origin}/builds/Application.bin`);
    other.put('/builds/Application.bin', files.find((f) => f.path.endsWith('Application.bin'))!.data);
    const local = files.filter((f) => !f.path.endsWith('Application.bin') && f.path !== 'manifest.json');
    const input = { name: 'logibus', files: [{ path: 'manifest.json', data: new Blob([manifest]) }, ...asFolder(local)] };
    const [release] = await readBundleFetchingParts(input, online);
    expect(other.requests).toEqual(['/builds/Application.bin']);
    expect(release!.files.find((f) => f.path === 'Application.bin')!.image?.app?.projectName).toBe('Application');
  });
});

describe('failures in plain words, nothing returned', () => {
  test('offline: nothing is requested, and the message says to connect once', async () => {
    const error = await fetchRelease(`${site.origin}/logibus/manifest.json`, { ...online, isOnline: () => false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe('offline');
    expect((error as RemoteError).message).toContain(`connect once to fetch ${site.origin}/logibus/manifest.json`);
    expect(site.requests).toEqual([]);
  });

  test('a missing part is named with its URL', async () => {
    site.remove(`/logibus/${FOLDER}/Application.bin`);
    const error = (await fetchRelease(`${site.origin}/logibus/manifest.json`, online).catch((e: unknown) => e)) as RemoteError;
    expect(error.code).toBe('missing');
    expect(error.message).toBe(`The part ${FOLDER}/Application.bin named by manifest.json is missing: ${site.origin}/logibus/${FOLDER}/Application.bin answered 404 Not Found.`);
  });

  test('a host that cannot be reached is named', async () => {
    const gone = await startReleaseSite({ cors: true });
    const url = `${gone.origin}/logibus/manifest.json`;
    await gone.close();
    const error = (await fetchRelease(url, online).catch((e: unknown) => e)) as RemoteError;
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`could not reach ${gone.host}`);
  });

  test('a page without an install button, and a zip that fails verification, are refused', async () => {
    site.put('/blog/index.html', '<!doctype html><title>News</title><p>Version 0.100 is out.</p>');
    const page = (await fetchRelease(`${site.origin}/blog/`, online).catch((e: unknown) => e)) as RemoteError;
    expect(page.code).toBe('no-install-button');
    expect(page.message).toContain('<esp-web-install-button manifest="…">');

    const app = new Uint8Array(files.find((f) => f.path.endsWith('Application.bin'))!.data);
    app[0x20000] = app[0x20000]! ^ 0xff;
    site.put(`/logibus/${FOLDER}/Application.bin`, app);
    const damaged = await fetchRelease(`${site.origin}/logibus/`, online).catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(BundleError);
    expect((damaged as BundleError).file).toBe(`${FOLDER}/Application.bin`);
  });

  test('a part larger than the limits stops the download', async () => {
    const error = (await fetchRelease(`${site.origin}/logibus/manifest.json`, { ...online, limits: { maxFileSize: 1024 * 1024 } }).catch((e: unknown) => e)) as RemoteError;
    expect(error.code).toBe('too-big');
    expect(error.url).toBe(`${site.origin}/logibus/${FOLDER}/Application.bin`);
  });

  test('typed addresses are read leniently, refused plainly', () => {
    expect(parseReleaseUrl('  example.github.io/logibus/#install ')).toBe('https://example.github.io/logibus/');
    expect(() => parseReleaseUrl('ftp://example.com/x.zip')).toThrow('is not an http or https address');
    expect(() => parseReleaseUrl('')).toThrow('is empty');
  });
});

describe('checking for newer versions', () => {
  const kept = () => ({ id: dropped.id, product: dropped.product, version: dropped.version, files: dropped.files, fetchedAt: Date.UTC(2026, 10, 2) });

  test('the same release again is unchanged; newer versions are offered newest first, with what changed', async () => {
    const newApp = await writeAppImage({ chipFamily: 'ESP32', projectName: 'Application', version: 'v0.9' });
    for (const [folder, version] of [['v101', '0.101'], ['v110', '0.110'], ['v99', '0.99']] as const) {
      site.put(`/logibus/${folder}/manifest.json`, absoluteManifest(`${site.origin}/logibus/${folder}/app.bin`, version));
      site.put(`/logibus/${folder}/app.bin`, newApp);
      for (const f of files.filter((x) => !x.path.endsWith('Application.bin') && x.path !== 'manifest.json')) site.put(`/logibus/${folder}/${f.path}`, f.data);
    }
    const buttons = ['v101', 'v110', 'v99'].map((v) => `<esp-web-install-button manifest='../${v}/manifest.json'></esp-web-install-button>`);
    site.put('/logibus/versions/index.html', `<!doctype html><title>All versions</title>${buttons.join('\n')}`);
    const same = compareWithKept((await fetchRelease(`${site.origin}/logibus/`, online)).releases, [kept()]);
    expect(same).toMatchObject({ offers: [], changedInPlace: [] });
    expect(same.unchanged.map((r) => r.id)).toEqual([dropped.id]);

    const { releases } = await fetchRelease(`${site.origin}/logibus/versions/`, online);
    const changes = compareWithKept(releases, [kept()]);
    expect(changes.offers.map((o) => [o.release.version, o.newer])).toEqual([['0.110.0', true], ['0.101.0', true], ['0.99.0', false]]);
    expect(changes.offers[0]!.comparedWith).toBe('0.100.0');
    expect(changes.offers[0]!.changes).toEqual([
      { path: 'app.bin', change: 'changed', role: 'app', was: `${FOLDER}/Application.bin` },
      { path: 'manifest.json', change: 'changed', role: 'manifest' },
    ]);
    expect(describeChanges(changes.offers[0]!.changes)).toBe(
      `the app (now app.bin, was ${FOLDER}/Application.bin) has different bytes; the manifest (manifest.json) has different bytes`,
    );
  });

  test('different bytes under the same version are flagged, with the part that changed', async () => {
    const app = await writeAppImage({ chipFamily: 'ESP32', projectName: 'Application', version: 'v0.8-rebuilt' });
    site.put(`/logibus/${FOLDER}/Application.bin`, app);
    const { releases } = await fetchRelease(`${site.origin}/logibus/manifest.json`, online);
    const changes = compareWithKept(releases, [kept()]);
    expect(changes.offers).toEqual([]);
    expect(changes.changedInPlace).toHaveLength(1);
    expect(changes.changedInPlace[0]!.changes).toEqual([{ path: `${FOLDER}/Application.bin`, change: 'changed', role: 'app' }]);
    const error = changedInPlaceError(changes.changedInPlace[0]!, `${site.origin}/logibus/manifest.json`);
    expect(error.code).toBe('digest-changed');
    expect(error.message).toBe(
      `LOGIBUS DualOut ESP32 esp-idf-v5.1 0.100.0 at ${site.origin}/logibus/manifest.json changed since FieldFlash fetched it on 2026-11-02: the app (${FOLDER}/Application.bin) has different bytes, but the version is the same. FieldFlash kept the copy it has and stored nothing.`,
    );
  });
});

describe('reading install pages and planning part paths', () => {
  test('install buttons: quoted, unquoted and entity-encoded manifest attributes, against <base href>', () => {
    const html = `<!doctype html><base href="/fw/"><esp-web-install-button
      manifest="stable/manifest.json?v=1&amp;c=2"></esp-web-install-button>
      <esp-web-install-button class=x manifest=beta.json></esp-web-install-button>
      <esp-web-install-button></esp-web-install-button>
      <esp-web-install-button manifest="stable/manifest.json?v=1&amp;c=2"></esp-web-install-button>`;
    expect(installButtonManifests(html, 'https://example.github.io/project/install.html')).toEqual([
      'https://example.github.io/fw/stable/manifest.json?v=1&c=2',
      'https://example.github.io/fw/beta.json',
    ]);
  });

  test('parts elsewhere are kept beside the manifest under their own names, clashes numbered, relative paths untouched', () => {
    const json = {
      name: 'x',
      builds: [
        { chipFamily: 'ESP32', parts: [{ path: 'boot/bootloader.bin', offset: 4096 }, { path: 'https://a.example/app.bin', offset: 65536 }] },
        { chipFamily: 'ESP32-S3', parts: [{ path: 'https://b.example/app.bin', offset: 65536 }, { path: '../shared/app.bin', offset: 0 }] },
      ],
    };
    const plan = planParts(JSON.stringify(json), json, 'manifest.json', 'https://example.github.io/project/manifest.json');
    expect(plan.parts.map((p) => [p.url, p.path])).toEqual([
      ['https://example.github.io/project/boot/bootloader.bin', 'boot/bootloader.bin'],
      ['https://a.example/app.bin', 'app.bin'],
      ['https://b.example/app.bin', 'app-2.bin'],
      ['https://example.github.io/shared/app.bin', 'app-3.bin'],
    ]);
    const kept = JSON.parse(plan.manifestText);
    expect(kept.builds.flatMap((b: { parts: Array<{ path: string }> }) => b.parts.map((p) => p.path))).toEqual(['boot/bootloader.bin', 'app.bin', 'app-2.bin', 'app-3.bin']);
    expect(plan.notes).toHaveLength(3);
  });
});
