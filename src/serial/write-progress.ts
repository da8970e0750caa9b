// Progress of a write, per part and in total, with speed and time left, in bytes of the image (not of the wire).

export type PartState = 'waiting' | 'comparing' | 'writing' | 'verifying' | 'done';
export type WritePhase = 'erasing' | 'comparing' | 'writing' | 'verifying' | 'done';

export interface PartProgress {
  part: string;
  offset: number;
  size: number;
  /** Bytes that must go to the flash (size less what the flash already holds). */
  toWrite: number;
  written: number;
  unchanged: number;
  state: PartState;
}

export interface WriteProgress {
  phase: WritePhase;
  parts: PartProgress[];
  totalToWrite: number;
  totalWritten: number;
  /** Image bytes per second while writing; 0 before the first block. */
  bytesPerSecond: number;
  /** Undefined until a speed is known. */
  secondsLeft: number | undefined;
}

export class WriteProgressTracker {
  private readonly parts: PartProgress[];
  private phase: WritePhase = 'comparing';
  private writeStartedAt: number | undefined;
  private writtenAtStart = 0;

  constructor(
    parts: readonly { part: string; offset: number; size: number }[],
    private readonly onChange: (progress: WriteProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.parts = parts.map((p) => ({ ...p, toWrite: p.size, written: 0, unchanged: 0, state: 'waiting' }));
  }

  setPhase(phase: WritePhase): void {
    this.phase = phase;
    this.emit();
  }

  setPartState(index: number, state: PartState): void {
    const part = this.parts[index];
    if (!part) return;
    part.state = state;
    this.emit();
  }

  /** After comparing: how much of the part the flash already holds. */
  setUnchanged(index: number, unchanged: number): void {
    const part = this.parts[index];
    if (!part) return;
    part.unchanged = unchanged;
    part.toWrite = part.size - unchanged;
    if (part.toWrite === 0) part.state = 'done';
    this.emit();
  }

  /** Image bytes of part `index` on the flash so far (within this write). */
  setWritten(index: number, written: number): void {
    const part = this.parts[index];
    if (!part) return;
    if (this.writeStartedAt === undefined) {
      this.writeStartedAt = this.now();
      this.writtenAtStart = this.totalWritten();
    }
    part.written = Math.min(written, part.toWrite);
    part.state = 'writing';
    this.emit();
  }

  snapshot(): WriteProgress {
    const totalToWrite = this.parts.reduce((s, p) => s + p.toWrite, 0);
    const totalWritten = this.totalWritten();
    let bytesPerSecond = 0;
    let secondsLeft: number | undefined;
    if (this.writeStartedAt !== undefined) {
      const seconds = (this.now() - this.writeStartedAt) / 1000;
      const bytes = totalWritten - this.writtenAtStart;
      if (seconds > 0.2 && bytes > 0) {
        bytesPerSecond = bytes / seconds;
        secondsLeft = (totalToWrite - totalWritten) / bytesPerSecond;
      }
    }
    if (this.phase === 'done') secondsLeft = 0;
    return { phase: this.phase, parts: this.parts.map((p) => ({ ...p })), totalToWrite, totalWritten, bytesPerSecond, secondsLeft };
  }

  private totalWritten(): number {
    return this.parts.reduce((s, p) => s + p.written, 0);
  }

  private emit(): void {
    this.onChange(this.snapshot());
  }
}
