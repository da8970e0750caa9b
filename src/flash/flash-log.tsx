// The flash log: every step, problem and boot verdict in words, folded away until wanted, downloadable as .txt.
import { downloadBlob } from './download.ts';
import { flashState, useWatched } from './flash-state.ts';

export function FlashLog() {
  const lines = useWatched(flashState.log);
  const download = () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    downloadBlob(new Blob([`${lines.join('\n')}\n`], { type: 'text/plain;charset=utf-8' }), `fieldflash-flash-log-${stamp}.txt`);
  };
  return (
    <details class="flash-step flash-fold">
      <summary>
        <h3 id="flash-log-heading">Flash log</h3>
      </summary>
      <button type="button" class="button" disabled={lines.length === 0} onClick={download}>
        Download flash log
      </button>
      <div role="log" aria-labelledby="flash-log-heading" class="flash-log" tabIndex={0}>
        {lines.map((line, i) => (
          <div key={i}>{line}</div>
        ))}
      </div>
    </details>
  );
}
