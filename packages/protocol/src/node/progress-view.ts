// What `npm run push` prints while an update runs: a redrawn bar on a terminal, plain lines otherwise.

import type { UpdatePhase, UpdateProgress } from '../updater.ts';
import { localTime } from './apply-at.ts';

const MiB = 1024 * 1024;
const WORDS: Record<UpdatePhase, string> = {
  reading: 'reading the device',
  authenticating: 'authenticating',
  connecting: 'opening the WebRTC link',
  offering: 'offering the update',
  sending: 'sending',
  retrying: 'link lost, resuming',
  committing: 'verifying and committing',
  rebooting: 'rebooting into the new image',
  scheduling: 'scheduling the reboot',
  scheduled: 'committed; waiting for the scheduled reboot',
  waiting: 'waiting for the health check',
  done: 'done',
};

export class ProgressView {
  private lastPhase: UpdatePhase | undefined;
  private lastTenth = -1;
  private lastDraw = 0;
  private readonly started = performance.now();
  private sendingSince: { at: number; offset: number } | undefined;
  private treeShown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  private lastRate = '';

  /** Speed since sending began; frozen once sending is over. */
  private rate(p: UpdateProgress): string {
    if (!this.sendingSince || (p.phase !== 'sending' && p.phase !== 'retrying')) return this.lastRate;
    const seconds = (performance.now() - this.sendingSince.at) / 1000;
    if (seconds < 0.2) return this.lastRate;
    this.lastRate = `${((p.offset - this.sendingSince.offset) / MiB / seconds).toFixed(1)} MiB/s`;
    return this.lastRate;
  }

  update(p: UpdateProgress): void {
    if (p.tree && !this.treeShown) {
      // A source tree's delta, once known: what is sent and what the device already had.
      this.treeShown = true;
      this.out.write(`${this.tty && this.lastPhase !== undefined ? '\n' : ''}delta against the device's files: ${p.tree.description}\n`);
    }
    if (p.phase === 'sending' && !this.sendingSince) this.sendingSince = { at: performance.now(), offset: p.offset };
    const phaseChanged = p.phase !== this.lastPhase;
    this.lastPhase = p.phase;
    const fraction = p.size > 0 ? p.offset / p.size : 0;
    const sizes = p.size > 0 ? `${(p.offset / MiB).toFixed(1)}/${(p.size / MiB).toFixed(1)} MiB` : '';
    const detail = p.phase === 'retrying' ? ` (attempt ${p.attempt}: ${p.reason})` : p.phase === 'scheduled' && p.appliesAt !== undefined ? `: applies at ${localTime(new Date(p.appliesAt))}` : '';
    if (this.tty) {
      const now = performance.now();
      if (!phaseChanged && now - this.lastDraw < 100 && p.offset < p.size) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
      const line = `${bar} ${sizes} ${this.rate(p)} ${WORDS[p.phase]}${detail}`;
      this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1).padEnd(Math.min(this.out.columns || 100, 100) - 1)}`);
      if (p.phase === 'retrying') this.out.write('\n');
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (phaseChanged || (p.phase === 'sending' && tenth > this.lastTenth)) {
      if (p.phase === 'sending') this.lastTenth = tenth;
      this.out.write(`${WORDS[p.phase]}${p.phase === 'sending' || p.phase === 'retrying' ? ` ${Math.floor(fraction * 100)}% ${sizes} ${this.rate(p)}`.trimEnd() : ''}${detail}\n`);
    }
  }

  /** Ends the bar's line so the verdict starts on its own. */
  finish(): void {
    if (this.tty && this.lastPhase !== undefined) this.out.write('\n');
  }

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}
