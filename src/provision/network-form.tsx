// The network to join: one the device saw in its scan, or any name typed in; and its password.
import { useState } from 'preact/hooks';
import type { WifiNetwork } from './improv-link.ts';

export interface NetworkFormProps {
  networks: WifiNetwork[];
  /** Said instead of the list while scanning, or why there is no list. */
  scanNote: string | undefined;
  busy: boolean;
  /** Resolves true once the device has joined: the password is then cleared from the form. */
  onConnect: (ssid: string, password: string) => Promise<boolean>;
  onScan: () => void;
}

function signal(rssi: number): string {
  if (rssi >= -55) return 'strong signal';
  if (rssi >= -70) return 'fair signal';
  return 'weak signal';
}

export function NetworkForm({ networks, scanNote, busy, onConnect, onScan }: NetworkFormProps) {
  const [ssid, setSsid] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [sending, setSending] = useState(false);
  const disabled = busy || sending;
  const chosen = networks.find((n) => n.ssid === ssid);
  const needsPassword = chosen ? chosen.secured : true;

  const submit = (event: Event) => {
    event.preventDefault();
    if (ssid.trim() === '' || disabled) return;
    setSending(true);
    void onConnect(ssid, needsPassword ? password : '').then((joined) => {
      setSending(false);
      if (joined) setPassword('');
    });
  };

  return (
    <form class="wifi-form" onSubmit={submit} aria-label="Wi-Fi network">
      <div class="flash-row">
        <label>
          Networks the device sees{' '}
          <select value={chosen ? ssid : ''} disabled={disabled || networks.length === 0} onChange={(e) => setSsid(e.currentTarget.value)}>
            <option value="">{networks.length === 0 ? 'none listed' : 'Choose a network…'}</option>
            {networks.map((n) => (
              <option key={n.ssid} value={n.ssid}>
                {n.ssid} ({signal(n.rssi)}, {n.secured ? 'password' : 'open'})
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button" disabled={disabled} onClick={onScan}>
          Scan again
        </button>
      </div>
      {scanNote && <p class="flash-hint">{scanNote}</p>}
      <label>
        Network name (SSID){' '}
        <input type="text" value={ssid} maxLength={32} disabled={disabled} autocomplete="off" spellcheck={false} onInput={(e) => setSsid(e.currentTarget.value)} />
      </label>
      {needsPassword ? (
        <div class="flash-row">
          <label>
            Wi-Fi password{' '}
            <input
              type={showPassword ? 'text' : 'password'}
              value={password}
              maxLength={63}
              disabled={disabled}
              autocomplete="off"
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <label>
            <input type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.currentTarget.checked)} /> Show password
          </label>
        </div>
      ) : (
        <p class="flash-hint">An open network: no password needed.</p>
      )}
      <button type="submit" class="button button--primary" disabled={disabled || ssid.trim() === ''}>
        {disabled ? 'Connecting…' : 'Connect to Wi-Fi'}
      </button>
    </form>
  );
}
