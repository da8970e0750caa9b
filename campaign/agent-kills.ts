// Campaign 1: kill -9 of the reference agent (packages/agent, a process of its own) in the middle of an update: at
// its crash points (a chunk half written, a journal written but not renamed, a commit, the test boot) and at random
// moments from outside (at a byte of the transfer, or some milliseconds into a phase). After each kill the agent
// restarts on the same state directory; its active slot must hold the old image or the new one byte for byte (by
// SHA-256 of the slot's file, never a mix), and the update tried again with the real client must be confirmed.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceUpdate, type UpdatePhase, type UpdateVerdict } from '@fieldflash/protocol';
import { readJournal, type Journal } from '../packages/agent/src/index.ts';
import { type AgentProcess, deviceDir, PASSWORD, release, spawnAgent, testImage, type TestImage } from '../test/integration/agent-support.ts';
import { type Campaign, check, type RunContext } from './lib/campaign.ts';
import type { Random } from './lib/seeded-random.ts';

const CHUNK = 65_536;
/** Small chunks, eight in flight: kills land between chunks and inside them. */
const AGENT_ARGS = ['--chunk-size', String(CHUNK), '--window', '8'];
const NEW_VERSION = '1.1.0';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A fault: one of the agent's own crash points, or a SIGKILL sent from outside at a byte or a moment. */
type Kill = { kind: 'crash-point'; at: string } | { kind: 'at-byte'; offset: number } | { kind: 'in-phase'; phase: UpdatePhase; afterMs: number };

function drawKill(random: Random, image: TestImage): Kill {
  const chunks = Math.ceil(image.bytes.length / CHUNK);
  switch (random.int(0, 5)) {
    case 0:
      return { kind: 'crash-point', at: `chunk:${random.int(1, chunks)}` };
    case 1:
      // In an update the agent writes its journal at the commit, the test boot and the confirmation.
      return { kind: 'crash-point', at: `journal-write:${random.int(1, 3)}` };
    case 2:
      return { kind: 'crash-point', at: random.pick(['commit:1', 'reboot:1']) };
    case 3:
    case 4:
      return { kind: 'at-byte', offset: random.int(0, image.bytes.length - 1) };
    default:
      return { kind: 'in-phase', phase: random.pick(['offering', 'sending', 'committing', 'rebooting', 'waiting'] as const), afterMs: random.int(0, 80) };
  }
}

/** The fault's kind for the tally, and where exactly it lands. */
const describeKill = (kill: Kill, size: number): [string, string] =>
  kill.kind === 'crash-point'
    ? [`crash-point ${kill.at.split(':')[0]}`, kill.at]
    : kill.kind === 'at-byte'
      ? ['sigkill at a byte of the transfer', `${kill.offset} of ${size}`]
      : [`sigkill in ${kill.phase}`, `+${kill.afterMs} ms`];

function update(agent: AgentProcess, image: TestImage, onPhase?: (phase: UpdatePhase, offset: number) => void): Promise<UpdateVerdict> {
  const abort = new AbortController();
  void agent.exited.then(() => abort.abort(new Error('the agent died')));
  return new DeviceUpdate({
    url: agent.url,
    password: PASSWORD,
    clientId: 'crash-campaign',
    release: release(NEW_VERSION),
    image: image.source,
    attempts: 3,
    backoffMs: { first: 50, max: 400 },
    verdictTimeoutMs: 30_000,
    signal: abort.signal,
    onProgress: (p) => onPhase?.(p.phase, p.offset),
  }).run();
}

/** The active slot's own bytes, hashed: they must be the old image or the new one, whatever the journal says. */
function activeImage(dir: string, images: { old: string; new: string }): { journal: Journal; which: 'old' | 'new' } {
  const journal = readJournal(dir);
  check(journal !== null, `the journal is gone from ${dir}`);
  const record = journal.slots[journal.active];
  check(record.state === 'active', `the active slot ${journal.active} is ${record.state}, not active`);
  const bytes = sha256(readFileSync(join(dir, 'slots', `${journal.active}.img`)));
  check(bytes === images.old || bytes === images.new, `slot ${journal.active} holds neither image: its bytes hash to ${bytes}`);
  check(bytes === record.sha256, `slot ${journal.active}'s bytes hash to ${bytes}, but the journal records ${record.sha256}`);
  return { journal, which: bytes === images.old ? 'old' : 'new' };
}

async function settledBoot(dir: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (readJournal(dir)?.testBoot) {
    check(Date.now() < deadline, 'the restarted agent did not finish its test boot within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const agentKills: Campaign = {
  name: 'agent-kills',
  what: 'kill -9 of the reference agent at crash points and random moments of an update; restart, check the active slot, update again',
  fullRuns: 200,
  runTimeoutMs: 120_000,
  async prepare() {
    // One factory-fresh device, copied for every run: each run starts from the same old image.
    const template = deviceDir();
    const first = await spawnAgent(template, 0, AGENT_ARGS);
    first.child.kill('SIGKILL');
    await first.exited;
    const oldImage = readJournal(template)!.slots.a;
    check(oldImage.state === 'active', 'the factory image is not active on a new device');
    const work = mkdtempSync(join(tmpdir(), 'fieldflash-campaign-agent-'));
    const alive = new Set<AgentProcess>();
    const start = async (dir: string, crashAt = ''): Promise<AgentProcess> => {
      const agent = await spawnAgent(dir, 0, AGENT_ARGS, { ...process.env, FIELDFLASH_AGENT_CRASH_AT: crashAt });
      alive.add(agent);
      void agent.exited.then(() => alive.delete(agent));
      return agent;
    };

    return {
      async run({ index, random, aim, missed }: RunContext) {
        const dir = join(work, `run-${index}`);
        cpSync(template, dir, { recursive: true });
        try {
          const image = testImage(random.int(300_000, 3_000_000));
          const images = { old: oldImage.sha256, new: image.sha256 };
          const kill = drawKill(random, image);
          aim(...describeKill(kill, image.bytes.length));

          const doomed = await start(dir, kill.kind === 'crash-point' ? kill.at : '');
          let fired = false;
          const fire = (delayMs = 0) => {
            if (fired) return;
            fired = true;
            setTimeout(() => doomed.child.kill('SIGKILL'), delayMs);
          };
          const attempt = update(doomed, image, (phase, offset) => {
            if (kill.kind === 'at-byte' && phase === 'sending' && offset >= kill.offset) fire();
            if (kill.kind === 'in-phase' && phase === kill.phase) fire(kill.afterMs);
          }).then(
            () => 'finished',
            () => 'stopped',
          );
          const ended = await Promise.race([attempt, doomed.exited.then(() => 'killed')]);
          if (doomed.child.signalCode !== 'SIGKILL') {
            // The update ended before the fault point came: the kill lands on the device at rest.
            missed(`the update ${ended} first`);
            doomed.child.kill('SIGKILL');
          }
          await doomed.exited;
          await attempt;
          const afterKill = activeImage(dir, images);

          const restarted = await start(dir);
          try {
            await settledBoot(dir);
            const afterRestart = activeImage(dir, images);
            if (afterKill.which === 'new' && afterRestart.which === 'old') {
              // Only a test boot the kill interrupted may be rolled back.
              check(afterKill.journal.testBoot !== null, 'the restart dropped a confirmed new image for the old one');
            }
            const verdict = await update(restarted, image);
            check(verdict.outcome === 'confirmed', `the update tried again was ${verdict.outcome}: ${verdict.reason ?? 'no reason given'}`);
            check(verdict.sha256 === image.sha256, `the device confirmed ${verdict.sha256}, not the image sent`);
            const done = activeImage(dir, images);
            check(done.which === 'new', 'after the confirmed retry the active slot still holds the old image');
            check(done.journal.lastUpdate?.outcome === 'confirmed', `the journal's last update is ${JSON.stringify(done.journal.lastUpdate)}`);
            check(verdict.device.version === NEW_VERSION, `the device runs ${verdict.device.version} after the retry`);
          } finally {
            restarted.child.kill('SIGKILL');
            await restarted.exited;
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      async close() {
        for (const agent of alive) agent.child.kill('SIGKILL');
        await Promise.all([...alive].map((a) => a.exited));
        rmSync(work, { recursive: true, force: true });
        rmSync(template, { recursive: true, force: true });
      },
    };
  },
};
