// Step 5 for a board running MicroPython: copy a source tree onto it over USB (the raw REPL), file by file, then
// its start after a soft reset. The library's source trees that suit the board's MicroPython are offered, the others
// listed with the reason; the FieldFlash agent can go on with the tree. Stays on screen after a failure (a pulled
// cable included) so nothing said is lost.
import { useMemo, useState } from 'preact/hooks';
import type { FileProgress } from '../micropython/tree-install.ts';
import { flashState, useWatched } from './flash-state.ts';
import { copyTree, micropythonState, type CopyState } from './micropython-install.ts';
import { AgentFields, AgentOutcome, useAgentChoice } from './micropython-agent-fields.tsx';
import { treeChoicesFor } from './micropython-trees.ts';
import { TrustBlock, useInstallGate } from '../trust/trust-block.tsx';
import { kib } from './progress-panel.tsx';
import { useLibraryReleases } from './release-picker.tsx';

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
  const version = useWatched(micropythonState.version);
  const copy = useWatched(micropythonState.copy);
  const connection = useWatched(flashState.connection);
  const activity = useWatched(flashState.activity);
  const library = useLibraryReleases();
  const chipFamily = connection.status === 'connected' ? connection.identity.chipFamily : undefined;
  const { offered, refused } = useMemo(
    () => treeChoicesFor(library.releases ?? [], { version: version ?? '0.0.0', chipFamily }),
    [library.releases, version, chipFamily],
  );
  const [chosen, setChosen] = useState('');
  const choice = offered.find((c) => c.id === chosen) ?? offered[0];
  const agent = useAgentChoice(choice?.identity.board);
  const gate = useInstallGate(choice?.release);
  const ready = seen && connection.status === 'connected' && activity === 'monitoring';
  if (!ready && copy.status === 'idle') return null;
  const busy = copy.status === 'copying' || copy.status === 'starting';

  return (
    <section class="flash-step" aria-labelledby="micropython-heading">
      <h3 id="micropython-heading">Copy files to MicroPython</h3>
      <p class="flash-hint">
        The board runs MicroPython{version ? ` ${version}` : ''}. FieldFlash copies a source tree onto its filesystem over the raw REPL: each file
        to a temporary name, checked with SHA-256 on the board, then put in place. Files already there are skipped; env.py is never overwritten.
      </p>
      <div class="flash-row">
        <label>
          Source tree{' '}
          <select value={choice?.id ?? ''} disabled={busy} onChange={(e) => setChosen(e.currentTarget.value)}>
            {offered.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {refused.length > 0 && (
        <div class="flash-hint">
          <p id="micropython-refused">Not offered for this board:</p>
          <ul aria-labelledby="micropython-refused">
            {refused.map((r) => (
              <li key={r.id}>{r.reason}</li>
            ))}
          </ul>
        </div>
      )}
      <AgentFields choice={agent} disabled={busy} />
      {gate.state === 'blocked' && choice?.release && <TrustBlock release={choice.release} gate={gate} />}
      <div class="flash-row">
        <button
          type="button"
          class="button button--primary"
          disabled={!ready || busy || !choice || gate.state !== 'open'}
          onClick={() => choice && void copyTree(choice, agent.enabled ? { secret: agent.secret, board: agent.board } : undefined)}
        >
          Copy to board
        </button>
      </div>
      {!ready && !busy && <p class="flash-hint">Connect the board and reset it into MicroPython to copy again.</p>}
      <CopyProgress copy={copy} simulated={connection.status === 'connected' && connection.simulated} />
    </section>
  );
}

function CopyProgress({ copy, simulated }: { copy: CopyState; simulated: boolean }) {
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
          {copy.agentInstalled && <AgentOutcome verdict={copy.verdict} simulated={simulated} />}
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
