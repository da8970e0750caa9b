// Helpers for the MicroPython agent's source-tree tests: a simulated board with its own env.py, releases of the test
// application, a whole update with the protocol client, an update committed but not booted, and what the board's
// filesystem holds (DIR/flash/app), read from the host.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle, type Release } from '../../packages/bundle/src/index.ts';
import { sourceTreeDelta } from '../../packages/bundle/src/source-tree-delta.ts';
import { sourceTreeFiles } from '../../packages/bundle/src/source-tree.ts';
import { expectOk, Probe } from '../../packages/conformance/src/probe.ts';
import { buildTreePayload, expectOk as expectReply, parseDeviceDocument, parseTreeListing, planRelease, updateDevice, type UpdateProgress, type UpdateVerdict } from '../../packages/protocol/src/index.ts';
import { NodeHttpTransport } from '../../packages/protocol/src/node/node-http-transport.ts';
import { BOARD_ENV, lanApp, type LanAppOptions, lanRelease } from '../fixtures/micropython-lan-app.ts';
import { deviceDir, PASSWORD } from './agent-support.ts';

export { PASSWORD };
export const BOARD_SETTINGS = { product: 'Greenhouse Sensor', version: '1.0.0', sequence: 1, confirm_within_s: 5 };

/** A board directory whose filesystem already holds the device's own env.py in /app. */
export function boardWithEnv(): string {
  const dir = deviceDir();
  mkdirSync(join(dir, 'flash', 'app'), { recursive: true });
  writeFileSync(join(dir, 'flash', 'app', 'env.py'), BOARD_ENV);
  return dir;
}

export async function appRelease(version: string, options: LanAppOptions = {}): Promise<Release> {
  const [release] = await readBundle({ name: `greenhouse-sensor-${version}.zip`, data: new Blob([new Uint8Array(await lanRelease(version, lanApp(version, options)))]) });
  return release!;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** path -> SHA-256 of every file in the board's /app, as the host sees DIR/flash/app. */
export function boardTree(dir: string): Record<string, string> {
  const root = join(dir, 'flash', 'app');
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(join(root, at), { withFileTypes: true })) {
      const path = at ? `${at}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out[path] = sha(readFileSync(join(root, path)));
    }
  };
  if (existsSync(root)) walk('');
  return out;
}

/** What /app must hold once `version` of the application runs: its files, the board's env.py and .version. */
export function expectedTree(version: string, options: LanAppOptions = {}): Record<string, string> {
  const out: Record<string, string> = { 'env.py': sha(BOARD_ENV), '.version': sha(new TextEncoder().encode(`${version}\n`)) };
  for (const f of lanApp(version, options)) out[f.path] = sha(f.data);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function sortedTree(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).sort(([a], [b]) => a.localeCompare(b)));
}

export interface BoardJournal {
  lastUpdate?: { version: string; outcome: string; reason?: string };
  tree?: { phase: string | null; staged: unknown; active: { version: string } | null };
}

export function boardJournal(dir: string): BoardJournal {
  return JSON.parse(readFileSync(join(dir, 'flash', 'fieldflash', 'journal.json'), 'utf8')) as BoardJournal;
}

/** The update of the board at `url` to `release` with the protocol client, to the device's verdict. */
export async function pushTree(url: string, release: Release, progress: UpdateProgress[] = []): Promise<UpdateVerdict> {
  const probe = new NodeHttpTransport({ url, clientId: 'tree-test' });
  const device = expectReply(await probe.request('GET', '/device').finally(() => probe.close()), parseDeviceDocument, 'the device document');
  const plan = planRelease(release, device);
  return updateDevice({
    url, password: PASSWORD, clientId: 'tree-test', release: plan.release, image: plan.image, httpTransport: (t) => new NodeHttpTransport(t), onProgress: (p) => progress.push(p),
  });
}

/** Sends `release` as a delta and commits it, without a reboot: the tree waits staged for the next boot. */
export async function stageTree(url: string, release: Release): Promise<string> {
  const probe = new Probe(url, PASSWORD);
  try {
    const doc = await probe.device();
    const session = await probe.login('tree-stager');
    const listing = parseTreeListing(expectOk(await session.request('GET', 'tree'), 'the tree listing'));
    const build = release.builds[0]!;
    const files = sourceTreeFiles(release.files, build.sourceTree!);
    const delta = sourceTreeDelta(files, listing.files, build.sourceTree!.deviceLocal);
    const data = new Map(release.files.map((f) => [f.path, f.data]));
    const payload = await buildTreePayload({
      version: release.version, entry: 'main', deviceLocal: build.sourceTree!.deviceLocal,
      write: delta.send.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, data: data.get(f.bundlePath)! })), remove: delta.removed,
    });
    const offer = {
      sha256: payload.sha256, size: payload.bytes.length, version: release.version, product: release.product, sequence: release.sequence, securityVersion: 0,
      chipFamily: doc.chipFamily, kind: 'source-tree', runtime: { name: 'micropython', minVersion: '1.22.0' },
    };
    const session0 = expectOk(await session.request('POST', 'updates', offer), 'the offer') as { chunkSize: number };
    await session.sendFrom({ bytes: payload.bytes, sha256: payload.sha256 }, 0, session0.chunkSize);
    expectOk(await session.request('POST', `updates/${payload.sha256}/commit`, {}), 'the commit');
    return payload.sha256;
  } finally {
    probe.close();
  }
}
