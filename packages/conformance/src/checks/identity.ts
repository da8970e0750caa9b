// §2 the device document, §7 reaching the device from a web page, §9 versioning.
import { API_BASE } from '@fieldflash/protocol';
import { assert, type Check, expectRefusal } from '../harness.ts';
import { activeSlot } from './flows.ts';

const ORIGIN = 'https://fieldflash.example';

export const identityChecks: Check[] = [
  {
    section: '2',
    title: 'the device document parses, lists protocol 1, chunk limits and one active slot with its image',
    async run(ctx) {
      const doc = ctx.doc;
      assert(doc.protocol.versions.includes(1), `protocol.versions is ${JSON.stringify(doc.protocol.versions)}, without 1`);
      assert(doc.slots.length >= 2, `the device lists ${doc.slots.length} slot(s); A/B updates need two`);
      const active = activeSlot(doc);
      assert(active.sha256 && active.version === doc.version, 'the active slot does not name the running version and its SHA-256');
      assert(doc.chunk.size >= 1024 && doc.chunk.window >= 1, `chunk ${JSON.stringify(doc.chunk)} is unusable`);
    },
  },
  {
    section: '7.1',
    title: 'replies carry CORS headers, refusals included',
    async run(ctx) {
      const ok = await ctx.probe.raw('GET', `${API_BASE}/device`, { headers: { Origin: ORIGIN } });
      assert(ok.headers.get('access-control-allow-origin') === ORIGIN, `GET /device: Access-Control-Allow-Origin is ${ok.headers.get('access-control-allow-origin')}`);
      assert(/origin/i.test(ok.headers.get('vary') ?? ''), 'GET /device: no Vary: Origin');
      const refused = await ctx.probe.raw('POST', `${API_BASE}/updates`, { headers: { Origin: ORIGIN }, body: {} });
      assert(refused.headers.get('access-control-allow-origin') === ORIGIN, `a 401 lacks Access-Control-Allow-Origin (${refused.status})`);
      assert(/retry-after/i.test(refused.headers.get('access-control-expose-headers') ?? ''), 'Retry-After is not in Access-Control-Expose-Headers');
    },
  },
  {
    section: '7.2',
    title: 'a preflight is answered with the methods, headers and Private Network Access',
    async run(ctx) {
      const reply = await ctx.probe.raw('OPTIONS', `${API_BASE}/updates`, {
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, content-digest, fieldflash-client', 'Access-Control-Request-Private-Network': 'true' },
      });
      assert(reply.status === 204 || reply.status === 200, `the preflight answered ${reply.status}`);
      const headers = (reply.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const name of ['authorization', 'content-digest', 'fieldflash-client', 'fieldflash-protocol']) assert(headers.includes(name), `Access-Control-Allow-Headers lacks ${name}`);
      assert((reply.headers.get('access-control-allow-methods') ?? '').includes('PUT'), 'Access-Control-Allow-Methods lacks PUT');
      assert(reply.headers.get('access-control-allow-private-network') === 'true', 'no Access-Control-Allow-Private-Network: true');
      const name = reply.headers.get('private-network-access-name');
      assert(name === null || name === ctx.doc.id, `Private-Network-Access-Name is ${name}, not the device id ${ctx.doc.id}`);
    },
  },
  {
    section: '9',
    title: 'a request for another protocol major version is refused with the versions the device speaks',
    async run(ctx) {
      const reply = await ctx.probe.raw('GET', `${API_BASE}/device`, { headers: { 'FieldFlash-Protocol': '99' } });
      const error = expectRefusal(reply, 400, 'unsupported-protocol', 'FieldFlash-Protocol: 99');
      assert(Array.isArray(error.supported) && error.supported.includes(1), `supported is ${JSON.stringify(error.supported)}`);
    },
  },
];
