// Runs fuzz cases (agent-messages.ts) against a running agent over real HTTP, logged in as docs/protocol.md §3 asks,
// and judges each: every reply a specific refusal or a success the request deserved, each request within its bound,
// the agent alive and answering GET /device afterwards, and no slot changed: the active slot's image and the
// device's slot records stay as they were, unless a commit of a true image legitimately made it pending.
import { createHash, randomBytes } from 'node:crypto';
import { pseudoRandomBytes } from '../../packages/bundle/src/index.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { API_BASE, contentDigest, ERROR_CODE_LIST, type DeviceDocument, type UpdateOffer } from '@fieldflash/protocol';
import { acceptableOffer, Probe, type Reply, type Session, type WireRequest } from '../../packages/conformance/src/probe.ts';
import type { AgentCase, AuthVariant, OfferEdit, Step } from './agent-messages.ts';
import { type Tally, within } from './fuzz-size.ts';

const KNOWN = new Set<string>(ERROR_CODE_LIST);

export interface AgentUnderTest {
  name: string;
  url: string;
  dir: string;
  /** The files that hold the running image: they never change. */
  activeFiles(doc: DeviceDocument): string[];
  /** The other files of the device's committed state (its journal, the other slot): they change only with the slots. */
  stateFiles(doc: DeviceDocument): string[];
  /** Whether the process still runs. */
  running(): boolean;
}

interface FuzzImage {
  bytes: Uint8Array;
  /** What the offer names: the bytes' SHA-256, except for the image that lies. */
  sha256: string;
  size: number;
  /** A commit of it may succeed (its bytes are what its offer names). */
  committable: boolean;
  offer: Partial<UpdateOffer>;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

class Finding extends Error {}

interface State {
  active: string;
  slots: string[];
  lastUpdate: string;
  files: string;
}

export class AgentFuzzer {
  private probe: Probe;
  private session!: Session;
  private other!: Session;
  private doc!: DeviceDocument;
  private images: FuzzImage[] = [];
  private offsets = new Map<number, number>();
  private lastSigned: WireRequest | undefined;
  private baseline!: State;
  private committed: string | undefined;
  private chunkAccepted = false;
  /** The current case's requests and replies, shown with any finding so that it can be reproduced by hand. */
  private trace: string[] = [];

  constructor(
    private readonly agent: AgentUnderTest,
    private readonly tally: Tally,
    private readonly boundMs: number,
    password: string,
  ) {
    this.probe = new Probe(agent.url, password);
  }

  async start(): Promise<void> {
    this.doc = await this.probe.device();
    this.session = await this.probe.login('fuzz-main');
    this.other = await this.probe.login('fuzz-other');
    const chunk = this.doc.chunk.size;
    const tree = this.doc.capabilities.includes('source-tree');
    const image = (bytes: Uint8Array, extra: Partial<FuzzImage> = {}): FuzzImage => ({ bytes, sha256: sha(bytes), size: bytes.length, committable: true, offer: {}, ...extra });
    // The same bytes on every run, so that a run with the same seed sends the same requests.
    const bytes = (length: number, seed: number) => pseudoRandomBytes(length, seed);
    const liar = bytes(chunk + 55, 3);
    const payload = new TextEncoder().encode(`fieldflash-tree 1\nversion 1.3.0\nentry main\nfile ${sha(new TextEncoder().encode('hello'))} 5 ../evil.py\nhello\nend\n`);
    this.images = [
      image(bytes(chunk * 2 + 123, 1)),
      image(bytes(700, 2)),
      image(liar, { sha256: sha(bytes(16, 4)), committable: false }),
      image(bytes(chunk, 5), { sha256: sha(bytes(16, 6)), size: this.doc.maxImageSize + 1, committable: false }),
      image(payload, tree ? { committable: false, offer: { kind: 'source-tree', runtime: { name: 'micropython' } } } : {}),
    ];
    this.baseline = this.state(this.doc);
  }

  close(): void {
    this.probe.close();
  }

  /** The device's committed state: slot records and last update, and its state files' sizes and times. */
  private state(doc: DeviceDocument): State {
    const print = (f: string) => {
      if (!existsSync(f)) return `${f}: none`;
      const s = statSync(f);
      return `${f}: ${s.size} ${s.mtimeMs}${f.endsWith('.json') ? ` ${readFileSync(f, 'utf8')}` : ''}`;
    };
    const sorted = (o: object | undefined) => (o === undefined ? null : Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
    const active = doc.slots.find((s) => s.state === 'active');
    return {
      active: JSON.stringify({ slot: sorted(active), files: this.agent.activeFiles(doc).map(print) }),
      slots: doc.slots.map((s) => JSON.stringify(sorted(s))),
      lastUpdate: JSON.stringify(sorted(doc.lastUpdate)),
      files: JSON.stringify(this.agent.stateFiles(doc).map(print)),
    };
  }

  async runCase(c: AgentCase): Promise<void> {
    this.committed = undefined;
    this.chunkAccepted = false;
    this.trace = [];
    try {
      for (let k = 0; k < c.warmUp; k++) {
        if (k === 0) await this.send({ kind: 'offer', image: c.warmImage, edit: { how: 'valid' }, auth: 'signed', contentType: 'application/json' });
        else await this.send({ kind: 'chunk', image: c.warmImage, at: 'next', offsetText: '', length: 'chunk', small: 1, digest: 'right', target: 'right', auth: 'signed' });
      }
      for (const step of c.steps) await this.send(step);
    } catch (error) {
      if (!(error instanceof Finding)) throw error;
    }
    await this.afterCase(JSON.stringify(c).slice(0, 600));
  }

  /**
   * The agent must still answer, its running image be untouched, and its slots be as they were: except that a valid
   * commit makes its image pending, and an accepted chunk may drop what the slot it writes held (an agent that
   * writes uploads straight into the inactive slot, as the MicroPython agent does), saying so in lastUpdate.
   */
  private async afterCase(what: string): Promise<void> {
    const reply = await within(this.boundMs, this.probe.raw('GET', `${API_BASE}/device`).catch((e: Error) => e));
    if (reply === 'hang' || reply instanceof Error || reply.status !== 200) {
      const why = this.agent.running() ? 'hang' : 'crash';
      this.tally.fail(why, `GET /device after the case answered ${reply === 'hang' ? 'nothing in time' : reply instanceof Error ? reply.message : reply.status}: ${what}\n${this.trace.join('\n')}`);
      throw new Error(`${this.agent.name} stopped answering (${why}) after: ${what}`);
    }
    const doc = reply.body as DeviceDocument;
    const before = this.baseline;
    const now = this.state(doc);
    this.baseline = now;
    const same = now.active === before.active && now.slots.join() === before.slots.join() && now.lastUpdate === before.lastUpdate && now.files === before.files;
    if (same) return;
    const problem = this.changeProblem(before, now, doc);
    if (problem) this.tally.fail('slot-changed', `${problem}: ${what}\nbefore: ${JSON.stringify(before)}\nafter:  ${JSON.stringify(now)}\n${this.trace.join('\n')}`);
  }

  private changeProblem(before: State, now: State, doc: DeviceDocument): string | undefined {
    if (now.active !== before.active) return 'the running image changed';
    if (this.committed) {
      const pending = doc.slots.find((s) => s.state === 'pending');
      return pending?.sha256 === this.committed || doc.lastUpdate?.sha256 === this.committed ? undefined : 'a commit changed the slots, but not to its image';
    }
    if (!this.chunkAccepted) return 'the slots changed without a commit or a chunk written into a slot';
    const dropped = now.slots.every((s, i) => s === before.slots[i] || (/"state":"(pending|confirmed)"/.test(before.slots[i] ?? '') && s === '{"name":"' + doc.slots[i]!.name + '","state":"empty"}'));
    if (!dropped) return 'a chunk changed a slot other than by dropping what it held';
    const last = JSON.parse(before.lastUpdate) as { sha256?: string; outcome?: string } | null;
    if (now.lastUpdate !== before.lastUpdate && !(last?.outcome === 'pending' && doc.lastUpdate?.sha256 === last.sha256 && doc.lastUpdate?.outcome === 'rolled-back' && doc.lastUpdate?.reason)) return 'lastUpdate changed without a commit';
    if (last?.outcome === 'pending' && !doc.slots.some((s) => s.sha256 === last.sha256) && doc.lastUpdate?.outcome === 'pending') return 'lastUpdate still waits for a pending image no slot holds';
    return undefined;
  }

  private offerBody(img: FuzzImage, edit: OfferEdit): { bytes: Uint8Array; valid: boolean } {
    const offer: Record<string, unknown> = { ...acceptableOffer(this.doc, { bytes: img.bytes, sha256: img.sha256 }, { size: img.size }), ...img.offer };
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    switch (edit.how) {
      case 'valid':
        return { bytes: enc(offer), valid: true };
      case 'set':
        offer[edit.field] = edit.value;
        return { bytes: enc(offer), valid: false };
      case 'delete':
        delete offer[edit.field];
        return { bytes: enc(offer), valid: false };
      case 'body': {
        const text = { 'bad-json': '{"sha256": "', empty: '', array: '[1,2,3]', string: '"offer"', deep: `${'['.repeat(5000)}${']'.repeat(5000)}`, huge: JSON.stringify({ ...offer, board: 'b'.repeat(200_000) }), null: 'null', binary: '\u0000\u00ff\u0001' }[edit.body];
        return { bytes: new TextEncoder().encode(text), valid: false };
      }
    }
  }

  private chunkRequest(step: Extract<Step, { kind: 'chunk' }>): { target: string; body: Uint8Array; digest: string | undefined; mustFail: boolean } {
    const img = this.images[step.image]!;
    const chunk = this.doc.chunk.size;
    const next = this.offsets.get(step.image) ?? 0;
    const offsets = { next, zero: 0, gap: next + chunk, overlap: Math.max(0, next - 1 - (step.small % chunk)), beyond: img.size + step.small, 'window-end': next + this.doc.chunk.window * chunk - 1, 'window-past': next + this.doc.chunk.window * chunk, text: 0 };
    const offset = offsets[step.at];
    const lengths = { chunk: Math.min(chunk, img.size - offset), oversize: chunk + 1, empty: 0, 'past-end': img.size - offset + step.small, small: step.small };
    const length = Math.max(0, lengths[step.length]);
    const body = new Uint8Array(length);
    for (let k = 0; k < length; k++) body[k] = img.bytes[(offset + k) % img.bytes.length]!;
    const sha256 = { right: img.sha256, 'unknown-sha': sha(pseudoRandomBytes(8, offset + 7)), 'upper-sha': img.sha256.toUpperCase(), 'short-sha': img.sha256.slice(0, 63), 'no-query': img.sha256, 'two-offsets': img.sha256 }[step.target];
    const query = { right: `?offset=${step.at === 'text' ? encodeURIComponent(step.offsetText).replace(/%25/, '%') : offset}`, 'unknown-sha': `?offset=${offset}`, 'upper-sha': `?offset=${offset}`, 'short-sha': `?offset=${offset}`, 'no-query': '', 'two-offsets': `?offset=${offset}&offset=${offset}` }[step.target];
    const right = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    const digests = {
      right,
      wrong: `sha-256=:${createHash('sha256').update(body).update('x').digest('base64')}:`,
      malformed: 'sha-256=:abc:',
      missing: undefined,
      'sha512-only': `sha-512=:${createHash('sha512').update(body).digest('base64')}:`,
      members: `sha-512=:${createHash('sha512').update(body).digest('base64')}:, ${right}`,
      spaced: ` ${right} `,
      hex: `sha-256=${createHash('sha256').update(body).digest('hex')}`,
    };
    const mustFail =
      !img.committable && step.image === 3 ||
      step.at === 'beyond' ||
      // By URL rules %30 is the digit 0 itself; every other spelling breaks §4.3's decimal digits.
      (step.at === 'text' && step.offsetText !== '%30') ||
      // Without Content-Digest a PUT is a single-request upload (§4.6): an empty one sends no bytes, which is no error.
      step.length === 'past-end' ||
      (step.length === 'empty' && step.digest !== 'missing') ||
      (step.length === 'oversize' && step.digest !== 'missing') ||
      ['wrong', 'malformed', 'sha512-only', 'hex'].includes(step.digest) ||
      ['unknown-sha', 'short-sha', 'no-query', 'two-offsets'].includes(step.target);
    return { target: `${API_BASE}/updates/${sha256}${query}`, body, digest: digests[step.digest], mustFail };
  }

  /** Builds the wire request for `step`, signed as its auth variant says. */
  private async wire(method: string, target: string, body: Uint8Array | undefined, digest: string | undefined, auth: AuthVariant, contentType = 'application/json'): Promise<WireRequest> {
    const session = auth === 'other-login' ? this.other : this.session;
    const headers: Record<string, string> = {};
    if (contentType) headers['Content-Type'] = contentType;
    let signedDigest = digest;
    if (auth === 'body-digest-lies' && body) signedDigest = await contentDigest(new TextEncoder().encode('other bytes'));
    if (signedDigest !== undefined) headers['Content-Digest'] = signedDigest;
    const request = await this.probe.prepare(method, target, { session, ...(body ? { bytes: body } : {}), headers });
    if (contentType) request.headers['Content-Type'] = contentType;
    else delete request.headers['Content-Type'];
    const h = request.headers;
    switch (auth) {
      case 'none':
        delete h.Authorization;
        delete h['FieldFlash-Client'];
        break;
      case 'bad-mac':
        h.Authorization = h.Authorization!.replace(/mac="(.)/, (_, c: string) => `mac="${c === 'a' ? 'b' : 'a'}`);
        break;
      case 'other-client':
        h['FieldFlash-Client'] = 'someone-else';
        break;
      case 'garbage':
        h.Authorization = 'FieldFlash-HMAC session="x", counter="-1", mac="zz", counter="2"';
        break;
      case 'unknown-session':
        h.Authorization = h.Authorization!.replace(/session="[^"]*"/, 'session="AAAAAAAAAAAAAAAAAAAAAAAA"');
        break;
    }
    return request;
  }

  private async send(step: Step): Promise<void> {
    let request: WireRequest;
    let mustFail = false;
    let commitOf: FuzzImage | undefined;
    let guard = false;
    const img = 'image' in step ? this.images[step.image]! : undefined;
    const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    switch (step.kind) {
      case 'offer': {
        const { bytes, valid } = this.offerBody(img!, step.edit);
        request = await this.wire('POST', `${API_BASE}/updates`, bytes, bytes.length ? await contentDigest(bytes) : undefined, step.auth, step.contentType);
        mustFail = (valid && step.image === 3) || step.edit.how === 'body';
        guard = true;
        break;
      }
      case 'chunk': {
        const c = this.chunkRequest(step);
        request = await this.wire('PUT', c.target, c.body, c.digest, step.auth, 'application/octet-stream');
        mustFail = c.mustFail;
        guard = true;
        break;
      }
      case 'get':
      case 'delete':
        request = await this.wire(step.kind.toUpperCase(), `${API_BASE}/updates/${img!.sha256}`, undefined, undefined, step.auth, '');
        guard = true;
        break;
      case 'commit': {
        const body = { empty: undefined, '{}': json({}), junk: new TextEncoder().encode('{"a":'), array: json([]) }[step.body];
        request = await this.wire('POST', `${API_BASE}/updates/${img!.sha256}/commit`, body, body ? await contentDigest(body) : undefined, step.auth, body ? 'application/json' : '');
        mustFail = !img!.committable;
        commitOf = img;
        guard = true;
        break;
      }
      case 'replay':
        if (!this.lastSigned) return;
        request = this.lastSigned;
        mustFail = true;
        break;
      case 'raw': {
        const schedule = json({ sha256: sha(json(step)), inSeconds: 0 });
        const raw = {
          'unknown-path': ['GET', `${API_BASE}/nothing-here`, undefined],
          'wrong-method': ['PATCH', `${API_BASE}/updates`, undefined],
          'protocol-2': ['GET', `${API_BASE}/updates/${this.images[0]!.sha256}`, undefined],
          'protocol-junk': ['GET', `${API_BASE}/updates/${this.images[0]!.sha256}`, undefined],
          tree: ['GET', `${API_BASE}/tree`, undefined],
          'reboot-schedule-bad': ['PUT', `${API_BASE}/scheduled-reboot`, schedule],
          'delete-schedule': ['DELETE', `${API_BASE}/scheduled-reboot`, undefined],
          'webrtc-junk': ['POST', `${API_BASE}/webrtc/offer`, json({ type: 'offer', sdp: 12 })],
        } as const;
        const [method, target, body] = raw[step.variant];
        request = await this.wire(method, target, body, body ? await contentDigest(body) : undefined, 'signed', body ? 'application/json' : '');
        if (step.variant === 'protocol-2') request.headers['FieldFlash-Protocol'] = '2';
        if (step.variant === 'protocol-junk') request.headers['FieldFlash-Protocol'] = 'one';
        mustFail = !['tree', 'delete-schedule'].includes(step.variant);
        break;
      }
      case 'auth': {
        const nonce = randomBytes(16).toString('base64');
        if (step.variant === 'challenge-junk' || step.variant === 'challenge-huge-id') {
          const clientId = step.variant === 'challenge-junk' ? step.value : 'x'.repeat(10_000);
          request = { method: 'POST', target: `${API_BASE}/auth/challenge`, headers: { 'Content-Type': 'application/json' }, body: json({ clientId }) };
          mustFail = step.variant === 'challenge-huge-id' || typeof clientId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(clientId);
        } else {
          let challengeId = 'c-unknown';
          if (step.variant === 'response-bad-proof') {
            const c = await this.exchange({ method: 'POST', target: `${API_BASE}/auth/challenge`, headers: { 'Content-Type': 'application/json' }, body: json({ clientId: 'fuzz-guess' }) }, false);
            challengeId = ((c?.body as { challengeId?: string } | undefined)?.challengeId) ?? challengeId;
          }
          const answer = step.variant === 'response-junk' ? { challengeId: step.value, clientId: 'fuzz-guess', clientNonce: step.value, proof: step.value } : { challengeId, clientId: 'fuzz-guess', clientNonce: nonce, proof: '0'.repeat(64) };
          request = { method: 'POST', target: `${API_BASE}/auth/response`, headers: { 'Content-Type': 'application/json' }, body: json(answer) };
          mustFail = true;
        }
        break;
      }
    }
    if (step.kind !== 'replay' && step.kind !== 'auth' && 'auth' in step) {
      // A lying Content-Digest needs a body to lie about; without one the request is well signed.
      const lies = step.auth === 'body-digest-lies' ? request.body !== undefined && request.body.length > 0 : true;
      if (step.auth !== 'signed' && step.auth !== 'other-login' && lies) mustFail = true;
    }
    if (step.kind !== 'auth' && step.kind !== 'replay' && (!('auth' in step) || step.auth === 'signed' || step.auth === 'other-login')) this.lastSigned = request;
    const reply = await this.exchange(request, mustFail, step.kind);
    if (!reply) return;
    const offset = (reply.body as { offset?: unknown; error?: { offset?: unknown } } | undefined);
    const at = typeof offset?.offset === 'number' ? offset.offset : offset?.error?.offset;
    if (guard && img && typeof at === 'number' && step.kind !== 'commit') this.offsets.set(this.images.indexOf(img), at);
    // A chunk refused as damaged was written all the same by an agent that hashes it on its way into the slot (§1.3).
    const reachedSlot = reply.status === 200 || (reply.body as { error?: { code?: string } } | undefined)?.error?.code === 'chunk-corrupt';
    if (step.kind === 'chunk' && reachedSlot) this.chunkAccepted = true;
    if (commitOf && reply.status === 200) {
      this.committed = commitOf.sha256;
      this.offsets.set(this.images.indexOf(commitOf), 0);
    }
    if (step.kind === 'commit' && reply.status !== 200 && img) this.offsets.set(this.images.indexOf(img), 0);
  }

  /** Sends one request within the bound; counts its outcome, and records a finding when it was not a specific one. */
  private async exchange(request: WireRequest, mustFail: boolean, what = 'auth'): Promise<Reply | undefined> {
    const reply = await within(this.boundMs, this.probe.send(request).catch((e: NodeJS.ErrnoException) => e));
    const sent = `${request.method} ${request.target.slice(0, 120)} ${JSON.stringify(request.headers).slice(0, 300)} body ${request.body?.length ?? 0} bytes ${request.body && request.body.length < 400 ? new TextDecoder().decode(request.body) : ''}`;
    this.trace.push(`${sent}\n  → ${reply === 'hang' ? 'no answer' : reply instanceof Error ? reply.message : `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`}`);
    const label = `${sent}\ncase so far:\n${this.trace.join('\n')}`;
    if (reply === 'hang') {
      this.tally.fail('hang', label);
      throw new Finding('hang');
    }
    if (reply instanceof Error) {
      // A device may close the connection on a request it will not read (§1): specific, if it still answers after.
      this.tally.count('connection-closed');
      return undefined;
    }
    const code = (reply.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error?.code;
    const message = (reply.body as { error?: { message?: unknown } } | undefined)?.error?.message;
    if (reply.status >= 200 && reply.status < 300) {
      if (mustFail) this.tally.fail('accepted-bad-request', `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 200)} for ${what}: ${label}`);
      else this.tally.count(`ok (${what})`);
      return reply;
    }
    if (typeof code !== 'string' || !KNOWN.has(code) || typeof message !== 'string' || message.length < 10 || reply.status >= 500 && code !== 'too-many-connections') {
      this.tally.fail('unspecific-error', `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)} for ${label}`);
      return reply;
    }
    this.tally.count(code);
    return reply;
  }
}

/** The reference agent: the running slot's image; its journal and the other slot's image. */
export const nodeAgentFiles = {
  activeFiles: (dir: string, doc: DeviceDocument) => doc.slots.filter((s) => s.state === 'active').map((s) => join(dir, 'slots', `${s.name}.img`)),
  stateFiles: (dir: string, doc: DeviceDocument) => [join(dir, 'journal.json'), ...doc.slots.filter((s) => s.state !== 'active').map((s) => join(dir, 'slots', `${s.name}.img`))],
};

/** The MicroPython board: the partition it boots; otadata (the other partition is where uploads are written). */
export const microPythonFiles = {
  activeFiles: (dir: string, doc: DeviceDocument) => [join(dir, 'partitions', `ota_${Math.max(0, doc.slots.findIndex((s) => s.state === 'active'))}.bin`)],
  stateFiles: (dir: string) => [join(dir, 'partitions', 'otadata.json')],
};
