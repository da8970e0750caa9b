// Progress of a flash (each part and in total, speed, time left), its outcome, and the problem if there was one.
import { useEffect, useState } from 'preact/hooks';
import { formatFlashSize } from '../serial/device-identity.ts';
import { hexOffset } from '../serial/flash-problems.ts';
import type { PartProgress, WriteProgress } from '../serial/write-progress.ts';
import { writtenWhen } from './board-record.ts';
import { BootPanel } from './boot-panel.tsx';
import { flashState, useWatched, type FlashOutcome } from './flash-state.ts';

export const kib = (n: number) => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function seconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return 'estimating…';
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

const PHASES: Record<WriteProgress['phase'], string> = {
  erasing: 'Erasing the flash…',
  comparing: 'Comparing the flash with the release…',
  writing: 'Writing…',
  verifying: 'Verifying…',
  done: 'Written and verified.',
};

function partText(p: PartProgress): string {
  if (p.toWrite === 0 && p.unchanged > 0) return `unchanged, skipped (${kib(p.unchanged)})`;
  const skipped = p.unchanged > 0 ? `, ${kib(p.unchanged)} unchanged` : '';
  return `${kib(p.written)} of ${kib(p.toWrite)}${skipped} — ${p.state}`;
}

/**
 * A whole-chip erase of the NOR flash on ESP32 boards typically takes 2.5 s per MiB (Winbond W25Q32JV: tCE 10 s
 * for 4 MB; W25Q128JV: 40 s for 16 MB). The chip says nothing until it is done, so the view shows time passing.
 */
const CHIP_ERASE_SECONDS_PER_MIB = 2.5;

function EraseClock({ flashSize }: { flashSize: number | undefined }) {
  const [startedAt] = useState(() => performance.now());
  const [now, setNow] = useState(startedAt);
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const elapsed = Math.floor((now - startedAt) / 1000);
  if (flashSize === undefined) return <p>{elapsed} s elapsed.</p>;
  const expected = Math.round((CHIP_ERASE_SECONDS_PER_MIB * flashSize) / (1024 * 1024));
  const text =
    elapsed <= expected
      ? `${elapsed} s elapsed, about ${seconds(expected)} expected for ${formatFlashSize(flashSize)}`
      : `${elapsed} s elapsed, longer than the usual ${seconds(expected)} for ${formatFlashSize(flashSize)}: some chips take minutes`;
  return <Bar label="Erase" value={Math.min(elapsed, expected)} max={expected} text={text} />;
}

function Bar({ label, value, max, text }: { label: string; value: number; max: number; text: string }) {
  return (
    <div class="flash-bar">
      <span class="flash-bar__label">{label}</span>
      <progress aria-label={label} value={max === 0 ? 1 : value} max={max === 0 ? 1 : max} aria-valuetext={text} />
      <span class="flash-bar__text">{text}</span>
    </div>
  );
}

export function ProgressPanel() {
  const progress = useWatched(flashState.progress);
  const outcome = useWatched(flashState.outcome);
  const problem = useWatched(flashState.problem);
  const activity = useWatched(flashState.activity);
  const connection = useWatched(flashState.connection);
  if (!progress && !outcome) return null;
  // A write cut short keeps its bars: they show how far it got.
  const stopped = problem !== undefined && activity !== 'flashing' && progress?.phase !== 'done';
  return (
    <section class="flash-step" aria-labelledby="progress-heading">
      <h3 id="progress-heading">Progress</h3>
      {/* Once written, the outcome says it all: the bars give way to the boot verdict. */}
      {progress && !outcome && (
        <>
          <p>{stopped ? 'Stopped: see the problem above.' : PHASES[progress.phase]}</p>
          {progress.phase === 'erasing' && !stopped && (
            <EraseClock flashSize={connection.status === 'connected' ? connection.identity.flashSize : undefined} />
          )}
          <Bar
            label="Total"
            value={progress.totalWritten}
            max={progress.totalToWrite}
            text={`${kib(progress.totalWritten)} of ${kib(progress.totalToWrite)}${
              progress.bytesPerSecond > 0 ? ` · ${kib(progress.bytesPerSecond)}/s · ${seconds(progress.secondsLeft)} left` : ''
            }`}
          />
          {progress.parts.map((p) => (
            <Bar key={p.offset} label={`${p.part} at ${hexOffset(p.offset)}`} value={p.written} max={p.toWrite} text={partText(p)} />
          ))}
        </>
      )}
      <BootPanel />
      {outcome && <Outcome outcome={outcome} />}
    </section>
  );
}

function Outcome({ outcome }: { outcome: FlashOutcome }) {
  const { report } = outcome;
  const skipped = report.parts.reduce((s, p) => s + p.unchanged, 0);
  const written = report.parts.reduce((s, p) => s + p.written, 0);
  const total = report.parts.reduce((s, p) => s + p.size, 0);
  return (
    <div role="status" aria-label="Flash result" class="flash-outcome">
      <p class="flash-outcome__title">
        {outcome.releaseLabel} written to {outcome.board} and verified in {report.seconds.toFixed(1)} s at {report.baudRate} baud.
      </p>
      {outcome.fellBackFrom && <p>The board could not keep up at {outcome.fellBackFrom} baud: FieldFlash fell back to {report.baudRate} baud.</p>}
      <p>
        {report.erasedAll ? 'Erased the whole flash first. ' : ''}Wrote {kib(written)} of {kib(total)}
        {skipped > 0 ? `; skipped ${kib(skipped)} already on the flash` : ''} ({kib(report.compressedBytes)} sent compressed).
      </p>
      {outcome.comparedWith && (
        <p>
          Compared with {outcome.comparedWith.label}, which FieldFlash wrote to this board ({writtenWhen(outcome.comparedWith.writtenAt)}): no need to ask the board
          which sectors changed.
        </p>
      )}
      <ul>
        {report.parts.map((p) => (
          <li key={p.offset}>
            {p.name} at {hexOffset(p.offset)}:{' '}
            {p.written === 0
              ? `unchanged, skipped (${kib(p.size)})`
              : p.unchanged > 0
                ? `${kib(p.written)} written in ${p.runs.length} region${p.runs.length === 1 ? '' : 's'}, ${kib(p.unchanged)} skipped`
                : p.rewroteWhole
                  ? `${kib(p.written)} written whole (the board did not hold what FieldFlash last wrote to it)`
                  : `${kib(p.written)} written`}
            , MD5 verified
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ProblemAlert() {
  const problem = useWatched(flashState.problem);
  if (!problem) return null;
  return (
    <div role="alert" class="alert flash-problem">
      <p class="alert__title">{problem.message}</p>
      <p class="alert__hint">{problem.nextStep}</p>
    </div>
  );
}
