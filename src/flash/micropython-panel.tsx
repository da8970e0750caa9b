// Step 5 for a board running MicroPython: copy a source tree onto it over USB (the raw REPL), file by file, then
// its start after a soft reset. Stays on screen after a failure (a pulled cable included) so nothing said is lost.
import { useState } from 'preact/hooks';
import type { FileProgress } from '../micropython/tree-install.ts';
import { flashState, useWatched } from './flash-state.ts';
import { copyTree, micropythonState, treeChoices, type CopyState } from './micropython-install.ts';
import { kib } from './progress-panel.tsx';

const STATE_WORDS: Record<FileProgress['state'], string> = {
  waiting: 'not copied yet',
  checking: 'comparing with the board',
  writing: 'copying',
  written: 'copied, SHA-256 checked on the board',
  unchanged: 'unchanged, skipped',
  kept: 'kept: the board’s own file',
  failed: 'not copied',
};

export function MicroPythonPanel() {
  const seen = useWatched(micropythonState.seen);
  const copy = useWatched(micropythonState.copy);
  const connection = useWatched(flashState.connection);
  const activity = useWatched(flashState.activity);
  const [choices] = useState(treeChoices);
  const [chosen, setChosen] = useState(choices[0]?.id ?? '');
  const ready = seen && connection.status === 'connected' && activity === 'monitoring';
  if (!ready && copy.status === 'idle') return null;
  const busy = copy.status === 'copying' || copy.status === 'starting';
  const choice = choices.find((c) => c.id === chosen);

  return (
    <section class="flash-step" aria-labelledby="micropython-heading">
      <h3 id="micropython-heading">Copy files to MicroPython</h3>
      <p class="flash-hint">
        The board runs MicroPython. FieldFlash copies a source tree onto its filesystem over the raw REPL: each file to a temporary
        name, checked with SHA-256 on the board, then put in place. Files already there are skipped; env.py is never overwritten.
      </p>
      <div class="flash-row">
        <label>
          Source tree{' '}
          <select value={chosen} disabled={busy} onChange={(e) => setChosen(e.currentTarget.value)}>
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button button--primary" disabled={!ready || busy || !choice} onClick={() => choice && void copyTree(choice)}>
          Copy to board
        </button>
      </div>
      {!ready && !busy && <p class="flash-hint">Connect the board and reset it into MicroPython to copy again.</p>}
      <CopyProgress copy={copy} />
    </section>
  );
}

function CopyProgress({ copy }: { copy: CopyState }) {
  if (copy.status === 'idle') return null;
  return (
    <>
      {copy.files.length > 0 && (
        <div role="region" aria-label="Progress per file">
          {copy.files.map((f) => (
            <div class="flash-bar" key={f.path}>
              <span class="flash-bar__label">{f.path}</span>
              <progress aria-label={f.path} value={fileDone(f)} max={f.size || 1} aria-valuetext={fileText(f)} />
              <span class="flash-bar__text">{fileText(f)}</span>
            </div>
          ))}
        </div>
      )}
      {copy.status === 'copying' && <p>Copying {copy.label}…</p>}
      {copy.status === 'starting' && <p>Copied. Soft-resetting the board and watching it start…</p>}
      {copy.status === 'done' && (
        <div role="status" aria-label="Copy result" class={`boot-verdict boot-verdict--${copy.verdict.outcome === 'started' ? 'booted' : copy.verdict.outcome === 'crashed' ? 'failed' : 'unknown'}`} data-outcome={copy.verdict.outcome}>
          <p class="boot-verdict__title">{copy.verdict.title}</p>
          <p>
            {copy.label}: {copy.report.written} copied{copy.report.written > 0 ? ` (${kib(copy.report.bytesWritten)})` : ''}, {copy.report.unchanged} unchanged,{' '}
            {copy.report.kept} kept.
          </p>
          {copy.verdict.outcome === 'crashed' && <pre class="flash-console">{copy.verdict.detail}</pre>}
        </div>
      )}
      {copy.status === 'failed' && (
        <div role="alert" aria-label="Copy problem" class="alert flash-problem">
          <p class="alert__title">{copy.message}</p>
          <p class="alert__hint">{copy.nextStep}</p>
        </div>
      )}
    </>
  );
}

function fileDone(f: FileProgress): number {
  return f.state === 'written' || f.state === 'unchanged' || f.state === 'kept' ? f.size || 1 : f.sent;
}

function fileText(f: FileProgress): string {
  if (f.state === 'writing') return `${kib(f.sent)} of ${kib(f.size)} — copying`;
  return `${kib(f.size)} — ${STATE_WORDS[f.state]}`;
}
