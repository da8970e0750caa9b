// §7.4 the compatibility endpoints (ESPHome POST /update, ElegantOTA /ota/*): a device that offers them must not
// let anyone on the network, or any web page, install firmware through them.
import { CHIP_FAMILIES, parseChipFamily, writeAppImage } from '@fieldflash/bundle';
import { assert, type Check, type Context, fail, Skip } from '../harness.ts';
import { makeImage } from '../probe.ts';
import { rawRequest } from '../raw-http.ts';
import { offer, reboot, verdict } from './flows.ts';

const basic = (user: string, password: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** An ESPHome-style upload as its tools send it: multipart with one file part. */
async function esphomeUpload(ctx: Context, bytes: Uint8Array, headers: Record<string, string>) {
  const body = new FormData();
  body.append('update', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'firmware.bin');
  const reply = await fetch(`${ctx.probe.url}/update`, { method: 'POST', headers, body });
  return { status: reply.status, text: await reply.text(), headers: reply.headers };
}

/** The slots and last update as the device reports them: what a refused upload must leave alone. */
async function slotState(ctx: Context): Promise<string> {
  const doc = await ctx.probe.device();
  return JSON.stringify({ slots: doc.slots, lastUpdate: doc.lastUpdate ?? null });
}

/** An ESP app image for this device (or with `change` applied), when the device is an ESP chip. */
async function espImage(ctx: Context, change: { chipFamily?: string; projectName?: string } = {}): Promise<Uint8Array> {
  const chip = parseChipFamily(ctx.doc.chipFamily);
  if (!chip || chip === 'ESP8266') throw new Skip(`the device's chip ${ctx.doc.chipFamily} does not run ESP app images`);
  const projectName = change.projectName ?? ctx.doc.product;
  if (new TextEncoder().encode(projectName).length > 31) throw new Skip(`the product name ${projectName} does not fit an ESP app descriptor`);
  return writeAppImage({ chipFamily: (change.chipFamily ?? chip) as Exclude<typeof chip, 'ESP8266'>, projectName, version: '1.0.0', secureVersion: ctx.doc.securityVersion, payload: makeImage(4096).bytes });
}

async function expectRefusedUpload(ctx: Context, bytes: Uint8Array, what: string): Promise<void> {
  const before = await slotState(ctx);
  const reply = await esphomeUpload(ctx, bytes, basic(ctx.compatUser, ctx.probe.password));
  assert(reply.text !== 'Update Successful!', `${what} was installed: ${reply.status} ${reply.text}`);
  const after = await slotState(ctx);
  assert(after === before, `${what} was refused, but the slots changed: ${after}`);
}

export const compatChecks: Check[] = [
  {
    section: '7.4',
    title: 'compatibility uploads need Basic credentials (checked before the body), refuse other origins and carry no CORS headers',
    needs: 'compat-esphome',
    async run(ctx) {
      const head = { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': '100000' };
      const anonymous = await rawRequest(ctx.probe.url, { method: 'POST', path: '/update', headers: head, waitMs: 5000 });
      if (!anonymous) fail('an upload without credentials got no answer within 5 s while its body was held back: the device reads the body first');
      assert(anonymous.status === 401 && /^basic/i.test(String(anonymous.headers['www-authenticate'] ?? '')), `an upload without credentials answered ${anonymous.status}, WWW-Authenticate ${String(anonymous.headers['www-authenticate'])}`);
      const image = makeImage(2048).bytes;
      for (const [what, headers] of [
        ['the wrong password', basic(ctx.compatUser, `${ctx.probe.password}-not`)],
        ['another user name', basic(`${ctx.compatUser}-not`, ctx.probe.password)],
      ] as const) {
        const reply = await esphomeUpload(ctx, image, headers);
        assert(reply.status === 401, `an upload with ${what} answered ${reply.status} ${reply.text}`);
      }
      const page = await esphomeUpload(ctx, image, { ...basic(ctx.compatUser, ctx.probe.password), Origin: 'http://attacker.example' });
      assert(page.status === 403, `an upload with credentials from a page of another origin answered ${page.status} ${page.text}`);
      assert(page.headers.get('access-control-allow-origin') === null, 'a compatibility reply carries Access-Control-Allow-Origin');
      const preflight = await rawRequest(ctx.probe.url, { method: 'OPTIONS', path: '/update', headers: { Origin: 'http://attacker.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
      assert(preflight !== null && preflight.headers['access-control-allow-origin'] === undefined, `a preflight for /update allows origin ${String(preflight?.headers['access-control-allow-origin'])}`);
      if (ctx.doc.capabilities.includes('compat-elegantota')) {
        const start = await rawRequest(ctx.probe.url, { method: 'GET', path: '/ota/start?mode=fr' });
        assert(start?.status === 401, `ElegantOTA /ota/start without credentials answered ${start?.status ?? 'nothing'}`);
      }
    },
  },
  {
    section: '7.4',
    title: 'a compatibility upload of an ESP app image for another chip or product is refused and changes no slot',
    needs: 'compat-esphome',
    async run(ctx) {
      const chip = parseChipFamily(ctx.doc.chipFamily);
      const otherChip = CHIP_FAMILIES.find((family) => family !== chip && family !== 'ESP8266')!;
      await expectRefusedUpload(ctx, await espImage(ctx, { chipFamily: otherChip }), `an ${otherChip} image`);
      await expectRefusedUpload(ctx, await espImage(ctx, { projectName: 'conformance-other' }), 'an image of the project conformance-other');
    },
  },
  {
    section: '7.4',
    title: 'a compatibility upload respects another client\'s hold and a committed image waiting for its reboot',
    needs: 'compat-esphome',
    async run(ctx) {
      const upload = await espImage(ctx).catch((error: unknown) => (error instanceof Skip ? makeImage(4096).bytes : Promise.reject(error)));
      const owner = await ctx.probe.login(ctx.clientId('owner'));
      const image = makeImage(ctx.transferSize);
      const opened = await offer(owner, ctx, image);
      const chunk = ctx.doc.chunk.size;
      await owner.sendFrom({ ...image, bytes: image.bytes.subarray(0, chunk) }, opened.offset, chunk);
      await expectRefusedUpload(ctx, upload, 'an upload while the owner holds the device');
      await owner.sendFrom(image, chunk, chunk);
      const commit = await owner.request('POST', `updates/${image.sha256}/commit`, {});
      assert(commit.status === 200, `the owner's commit answered ${commit.status}`);
      await expectRefusedUpload(ctx, upload, 'an upload while the owner\'s image waits for its reboot');
      await reboot(owner);
      const doc = await verdict(ctx, image.sha256);
      assert(doc.lastUpdate?.outcome === 'confirmed', `the owner's image was ${doc.lastUpdate?.outcome} after its reboot`);
    },
  },
];
