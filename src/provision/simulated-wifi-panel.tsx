// The simulated board's Wi-Fi world: the networks its demo app finds, the password each takes, the URL it reports.
import { useState } from 'preact/hooks';
import type { SimulatedWifi } from '@fieldflash/esp-emulator';
import { formatNetworks, parseNetworks } from './simulated-networks.ts';

export interface SimulatedWifiPanelProps {
  current: Readonly<SimulatedWifi>;
  /** Applies the change; throws with a message for people when the emulator refuses it. */
  onApply: (change: Pick<SimulatedWifi, 'networks' | 'deviceUrl'>) => void;
}

export function SimulatedWifiPanel({ current, onApply }: SimulatedWifiPanelProps) {
  const [networks, setNetworks] = useState(() => formatNetworks(current.networks));
  const [url, setUrl] = useState(current.deviceUrl);
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);

  const apply = (event: Event) => {
    event.preventDefault();
    try {
      onApply({ networks: parseNetworks(networks), deviceUrl: url.trim() });
      setNote({ ok: true, text: 'Applied: the next scan and connection use these.' });
    } catch (error) {
      setNote({ ok: false, text: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <form onSubmit={apply} aria-label="Simulated Wi-Fi">
      <fieldset>
        <legend>Wi-Fi around the board (demo app, Improv Serial)</legend>
        <label>
          Simulated networks (one a line: name, password, signal dBm; no password for an open network)
          <textarea rows={3} cols={40} value={networks} spellcheck={false} onInput={(e) => setNetworks(e.currentTarget.value)} />
        </label>
        <label>
          URL the board reports{' '}
          <input type="url" value={url} size={28} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <button type="submit" class="button">
          Apply Wi-Fi settings
        </button>
        {note && <p role={note.ok ? 'status' : 'alert'}>{note.text}</p>}
      </fieldset>
    </form>
  );
}
