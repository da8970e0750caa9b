// The serial console: the boot log after a flash, and a monitor that stays open (baud, reset, clear, download as .txt).
import { useEffect, useRef } from 'preact/hooks';
import { MONITOR_BAUD_RATES } from '../serial/serial-monitor.ts';
import { downloadBlob } from './download.ts';
import { flashController } from './flash-controller.ts';
import { flashState, useWatched } from './flash-state.ts';

export function SerialConsole({ connected }: { connected: boolean }) {
  const text = useWatched(flashState.console);
  const baud = useWatched(flashState.consoleBaud);
  const activity = useWatched(flashState.activity);
  const output = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = output.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);

  const download = () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    downloadBlob(new Blob([text], { type: 'text/plain;charset=utf-8' }), `fieldflash-console-${stamp}.txt`);
  };

  return (
    <section class="flash-step" aria-labelledby="console-heading">
      <h3 id="console-heading">Serial console</h3>
      <div class="flash-row">
        <label>
          Console baud rate{' '}
          <select value={String(baud)} disabled={activity === 'flashing'} onChange={(e) => void flashController.setConsoleBaud(Number(e.currentTarget.value))}>
            {MONITOR_BAUD_RATES.map((b) => (
              <option key={b} value={String(b)}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button" disabled={!connected || activity === 'flashing'} onClick={() => void flashController.resetBoard()}>
          Reset board
        </button>
        <button type="button" class="button" onClick={() => flashController.clearConsole()}>
          Clear console
        </button>
        <button type="button" class="button" disabled={text.length === 0} onClick={download}>
          Download console log
        </button>
      </div>
      <p class="flash-hint">
        {activity === 'monitoring' ? `Monitoring at ${baud} baud.` : 'The console opens after flashing, or with "Reset board".'}
      </p>
      <pre ref={output} role="log" aria-label="Serial console output" class="flash-console" tabIndex={0}>
        {text}
      </pre>
    </section>
  );
}
