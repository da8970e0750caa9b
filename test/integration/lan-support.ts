// Helpers for the LAN client tests: a TCP relay in front of an agent whose connections a test can cut, and
// release bundles built with the bundle package's own writers.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { readBundle, signatureFileText, signManifest, type SigningKey, writeAppImage, writeBundleZip, writeNativeManifest, pseudoRandomBytes } from '@fieldflash/bundle';

/** A real TCP relay to 127.0.0.1:target. cut() resets every open connection; down(ms) also refuses new ones for a while. */
export class CuttableLink {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private refuseUntil = 0;
  url = '';
  cuts = 0;

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      if (performance.now() < this.refuseUntil) return void client.resetAndDestroy();
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(targetPort: number): Promise<CuttableLink> {
    const link = new CuttableLink(targetPort);
    link.server.listen(0, '127.0.0.1');
    await once(link.server, 'listening');
    link.url = `http://127.0.0.1:${(link.server.address() as { port: number }).port}`;
    return link;
  }

  cut(): void {
    this.cuts++;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** Cuts every connection and refuses new ones for `ms`, as a device that drops off the network does. */
  down(ms: number): void {
    this.refuseUntil = performance.now() + ms;
    this.cut();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export interface BundleSpec {
  product?: string;
  version: string;
  sequence?: number;
  securityVersion?: number;
  board?: string;
  /** Size of each app image's payload. */
  payload?: number;
  /** One image per slot (slot0/slot1) or one for either slot. */
  perSlot?: boolean;
  /** Distribution policy: SemVer range of device versions the release applies to. */
  appliesTo?: string;
  /** Signs the manifest with this key (fieldflash.json.sig beside it). */
  signedBy?: SigningKey;
}

/** Writes a FieldFlash release zip with ESP32 app images and returns its path and the images' bytes. */
export async function writeTestBundle(dir: string, spec: BundleSpec): Promise<{ path: string; images: Uint8Array[] }> {
  const app = (seed: number) =>
    writeAppImage({
      chipFamily: 'ESP32',
      projectName: 'demo-sensor',
      version: spec.version,
      // The app descriptor agrees with the manifest, or the device refuses the image at commit (image-mismatch).
      secureVersion: spec.securityVersion ?? 1,
      flashSizeMiB: 4,
      payload: pseudoRandomBytes(spec.payload ?? 200_000, seed),
      date: 'Mar  1 2026',
      time: '10:00:00',
      idfVersion: 'v5.3.1',
    });
  const images = spec.perSlot === false ? [await app(11)] : [await app(10), await app(11)];
  const files = images.map((data, i) => ({ path: images.length === 1 ? 'ota/app.bin' : `ota/slot${i}.bin`, data, role: 'app' as const }));
  const manifest = await writeNativeManifest({
    product: spec.product ?? 'demo-sensor',
    version: spec.version,
    sequence: spec.sequence ?? 5,
    securityVersion: spec.securityVersion ?? 1,
    ...(spec.appliesTo ? { appliesTo: spec.appliesTo } : {}),
    targets: [{ chipFamily: 'ESP32', board: spec.board ?? 'devkitc-v4', ota: images.length === 1 ? { image: 'ota/app.bin' } : { slot0: 'ota/slot0.bin', slot1: 'ota/slot1.bin' } }],
    files,
  });
  const folder = [{ path: 'fieldflash.json', data: new Blob([manifest]) }, ...files.map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) }))];
  if (spec.signedBy) {
    const signature = await signManifest(new TextEncoder().encode(manifest), spec.signedBy);
    folder.push({ path: 'fieldflash.json.sig', data: new Blob([signatureFileText(signature)]) });
  }
  const [release] = await readBundle({ name: 'demo-sensor', files: folder });
  const path = join(dir, `demo-sensor-${spec.version}.zip`);
  writeFileSync(path, new Uint8Array(await (await writeBundleZip(release!)).arrayBuffer()));
  return { path, images };
}
