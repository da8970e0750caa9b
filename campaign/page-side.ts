// Campaign 4: the page side, in Chromium against the built app. From the Devices view a technician updates a paired
// reference agent (a process of its own, behind a relay that stands for the LAN) to the demo release, and at a
// random byte of what the page sends: the LAN link drops every connection and stays down a while, or the agent is
// killed with SIGKILL and started again on its state directory, or the page is reloaded. The update must then end
// confirmed, by itself or pressed again, with the device's verdict on screen; the agent's active slot must hold the
// demo image for that slot byte for byte.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { readJournal } from '../packages/agent/src/index.ts';
import { openApp, type AppSession } from '../test/e2e/browser.ts';
import { addByAddress, DEMO, deviceCard, deviceDocument, forgetAllDevices, openDevicesView } from '../test/e2e/devices.support.ts';
import { releaseRow } from '../test/e2e/library.support.ts';
import { type AgentProcess, deviceDir, PASSWORD, spawnAgent } from '../test/integration/agent-support.ts';
import { type Campaign, check, type RunContext } from './lib/campaign.ts';
import { CuttableLink } from './lib/cuttable-link.ts';

const DEMO_ZIP = new URL('../public/demo/fieldflash-demo-1.0.0.zip', import.meta.url);
/** Small chunks, two in flight: the 66 KiB demo image crosses the link in several requests a fault can land between. */
const AGENT_ARGS = ['--product', DEMO.product, '--board', DEMO.board, '--version', '0.9.0', '--chunk-size', '16384', '--window', '2'];
const UPDATE_BUTTON = 'Update to FieldFlash Demo 1.0.0';
const CONFIRMED = /^Confirmed: FieldFlash Demo 1\.0\.0 in slot [ab]\./;
/** Presses of Update after the first, when the update stopped or the device rolled back, before the run counts as lost. */
const MAX_RETRIES = 2;

type Fault = 'link-cut' | 'agent-kill' | 'page-reload';
const FAULTS: readonly Fault[] = ['link-cut', 'agent-kill', 'page-reload'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function demoSlotSha256(): Promise<Record<'a' | 'b', string>> {
  const zip = await JSZip.loadAsync(readFileSync(DEMO_ZIP));
  const slot = async (n: number) => sha256(await zip.file(`ota/fieldflash-demo-slot${n}.bin`)!.async('uint8array'));
  return { a: await slot(0), b: await slot(1) };
}

/** The result line once the update has ended, its text collapsed. */
async function resultText(page: Page, label: string): Promise<string> {
  const card = deviceCard(page, label);
  const result = card.getByRole('status', { name: 'Update result' });
  try {
    await result.waitFor({ timeout: 90_000 });
  } catch {
    const shown = await card.innerText({ timeout: 5_000 }).catch(() => 'no card');
    throw new Error(`no update result on screen within 90 s; the card shows: ${shown.replace(/\s+/g, ' ').slice(0, 600)}`);
  }
  return (await result.innerText()).replace(/\s+/g, ' ');
}

/** A device for one run: the agent process on a fresh directory, and the link the page reaches it through. */
class RunDevice {
  agent!: AgentProcess;
  link!: CuttableLink;
  readonly dir = deviceDir();
  private port = 0;

  async start(): Promise<void> {
    await this.startAgent();
    this.link = await CuttableLink.start(() => this.port);
  }

  async startAgent(): Promise<void> {
    this.agent = await spawnAgent(this.dir, this.port, AGENT_ARGS);
    this.port = this.agent.port;
  }

  async kill(): Promise<void> {
    this.agent.child.kill('SIGKILL');
    await this.agent.exited;
  }

  async close(): Promise<void> {
    await this.link?.close();
    if (this.agent) await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const pageSide: Campaign = {
  name: 'page-side',
  what: 'the LAN link cut, the agent killed and restarted, or the page reloaded in the middle of an update from the Devices view',
  fullRuns: 50,
  runTimeoutMs: 240_000,
  /** Needs the production build in dist/ (npm run build; `npm run campaign` makes it first). */
  async prepare() {
    const images = await demoSlotSha256();
    const app: AppSession = await openApp();
    await app.page.setViewportSize({ width: 1280, height: 900 });
    await app.page.getByRole('button', { name: 'Load demo release' }).click();
    await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
    const page = app.page;

    /** A paired device with nothing sent yet, its card open in the Devices view. */
    const pairedDevice = async (): Promise<{ device: RunDevice; label: string }> => {
      await forgetAllDevices(page);
      await openDevicesView(page);
      const device = new RunDevice();
      await device.start();
      const added = await addByAddress(page, device.link.url, PASSWORD);
      check(added.added, `the device could not be added: ${added.text}`);
      return { device, label: `${DEMO.product} at ${new URL(device.link.url).host}` };
    };

    // What the page sends in a whole update, measured once, so each fault lands at a byte inside it.
    let updateBytes: number;
    try {
      const { device, label } = await pairedDevice();
      try {
        const before = device.link.pageBytes;
        await deviceCard(page, label).getByRole('button', { name: UPDATE_BUTTON }).click();
        const text = await resultText(page, label);
        check(CONFIRMED.test(text), `a clean update from the page did not end confirmed: ${text}`);
        updateBytes = device.link.pageBytes - before;
      } finally {
        await device.close();
      }
    } catch (error) {
      await app.close();
      throw error;
    }

    return {
      async run({ random, aim, note, missed }: RunContext) {
        const fault = random.pick(FAULTS);
        const atByte = random.int(1, updateBytes - 1);
        const downMs = random.int(0, 3000);
        aim(fault, `at page byte ${atByte} of ${updateBytes}${fault === 'page-reload' ? '' : `, down ${downMs} ms`}`);
        const { device, label } = await pairedDevice();
        try {
          const resultShown = () => deviceCard(page, label).getByRole('status', { name: 'Update result' }).isVisible().catch(() => false);
          let fired: Promise<void> | undefined;
          device.link.when(device.link.pageBytes + atByte, () => {
            fired = (async () => {
              if (fault === 'page-reload') {
                // Held both ways, the page cannot hear a verdict while it is looked at: one it already shows ended
                // the update (a reload would rightly find nothing to pick up), so the reload is only for one running.
                device.link.hold();
                if (await resultShown()) missed('the update ended first');
                else await page.reload();
                device.link.release();
                return;
              }
              if (fault === 'link-cut') device.link.cut();
              else await device.kill();
              await new Promise((resolve) => setTimeout(resolve, downMs));
              if (fault === 'link-cut') device.link.restore();
              else await device.startAgent();
            })();
          });
          await deviceCard(page, label).getByRole('button', { name: UPDATE_BUTTON }).click();
          while (!fired && !(await resultShown())) await new Promise((resolve) => setTimeout(resolve, 50));
          if (fired) await fired;
          else {
            device.link.when(Number.POSITIVE_INFINITY, () => {});
            missed('the update ended first');
          }
          let text = await resultText(page, label);
          for (let retry = 1; !CONFIRMED.test(text); retry++) {
            check(retry <= MAX_RETRIES, `the update did not end confirmed after ${MAX_RETRIES} presses of Update again: ${text}`);
            note(`pressed again after: ${text.slice(0, 60)}`);
            const card = deviceCard(page, label);
            await card.getByRole('button', { name: 'Dismiss' }).click();
            await card.getByRole('button', { name: UPDATE_BUTTON }).click();
            text = await resultText(page, label);
          }
          const document = await deviceDocument(device.agent.url);
          const journal = readJournal(device.dir)!;
          const slot = journal.active;
          check(document.version === '1.0.0', `the device says it runs ${document.version}, not 1.0.0`);
          check(text.includes(`in slot ${slot}.`), `the page says "${text}", but the device's active slot is ${slot}`);
          check(journal.slots[slot].state === 'active' && journal.lastUpdate?.outcome === 'confirmed', `the journal says ${JSON.stringify({ slot: journal.slots[slot], lastUpdate: journal.lastUpdate })}`);
          const held = sha256(readFileSync(join(device.dir, 'slots', `${slot}.img`)));
          check(held === images[slot], `slot ${slot} holds bytes hashing to ${held}, not the demo image for slot ${slot}`);
        } finally {
          await device.close();
        }
      },
      async close() {
        await app.close();
      },
    };
  },
};
