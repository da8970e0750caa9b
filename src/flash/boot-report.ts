// After a flash, the board's own account of its start: watches the console across the reset and publishes
// one verdict, on screen and in the flash log (revised if the app fails after it was called booted).
// "Reset board" watches again while the flashed release is known.
import { BOOT_WATCH, BootWatch, type TimedReading } from '../serial/boot-watch.ts';
import { describeBootVerdict, type BootContext } from '../serial/boot-verdict.ts';
import { flashState } from './flash-state.ts';

type Expectation = Pick<BootContext, 'expected' | 'bootloaderOffset'> & { releaseLabel: string };

export class BootReporter {
  private watch: BootWatch | undefined;
  private expectation: Expectation | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** The release just written: what the board should start from now on. */
  expect(expectation: Expectation): void {
    this.expectation = expectation;
  }

  /** A different board, or none: nothing to check a boot against. */
  forget(): void {
    this.abandon();
    this.expectation = undefined;
  }

  /** Call before the reset, with the console open at `consoleBaud`. */
  begin(consoleBaud: number): void {
    this.abandon();
    const expectation = this.expectation;
    if (!expectation) return;
    const words = (reading: TimedReading) =>
      describeBootVerdict(reading.verdict, { ...expectation, consoleBaud, watchedSeconds: BOOT_WATCH.limitMs / 1000 });
    const watch: BootWatch = new BootWatch(BOOT_WATCH, (reading) => {
      if (this.watch !== watch) return;
      const revised = words(reading);
      flashState.boot.set({ status: 'done', releaseLabel: expectation.releaseLabel, ...revised });
      this.log(`Boot verdict revised after ${reading.seconds.toFixed(1)} s: ${revised.title} ${revised.nextStep}`);
    });
    this.watch = watch;
    flashState.boot.set({ status: 'watching', seconds: BOOT_WATCH.limitMs / 1000 });
    void watch.result.then((reading) => {
      if (this.watch !== watch) return;
      const first = words(reading);
      flashState.boot.set({ status: 'done', releaseLabel: expectation.releaseLabel, ...first });
      this.log(`Boot verdict after ${reading.seconds.toFixed(1)} s: ${first.title} ${first.nextStep}`);
    });
  }

  push(text: string): void {
    this.watch?.push(text);
  }

  /** Stops watching without a verdict (the port went away, the console was reopened, a new flash began). */
  abandon(): void {
    const watch = this.watch;
    if (!watch) return;
    this.watch = undefined;
    watch.stop();
    if (flashState.boot.get()?.status === 'watching') flashState.boot.set(undefined);
  }
}
