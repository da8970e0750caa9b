// "Trusted keys": import a publisher's public key (pasted or picked), see each key's id, algorithm, name and full
// fingerprint to compare with the publisher's, and revoke one. A revoked key stays listed, so the releases it signed
// are named and refused rather than looking merely unknown.
import { useRef, useState } from 'preact/hooks';
import { formatFingerprint } from '@fieldflash/bundle/trust';
import { ConfirmDialog } from '../devices/confirm-dialog.tsx';
import { revokeTrustedKey, type StoredTrustedKey } from '../store/index.ts';
import { useTrustSettings } from '../trust/trust-settings.ts';
import { importPublicKey, type KeyImportOutcome } from './key-import.ts';

const ALGORITHM_NAMES = { ed25519: 'Ed25519', 'ecdsa-p256': 'ECDSA P-256' } as const;

const keyLabel = (key: StoredTrustedKey) => key.name ?? `key ${key.keyId}`;

function ImportOutcome({ outcome }: { outcome: KeyImportOutcome }) {
  if (!outcome.ok) {
    return (
      <div role="alert" class="alert">
        <p class="alert__title">{outcome.message}</p>
        <p class="alert__hint">{outcome.hint}</p>
      </div>
    );
  }
  const { key, added } = outcome;
  const text = !added
    ? key.revokedAt !== undefined
      ? `${keyLabel(key)} (${key.keyId}) was revoked earlier and stays revoked.`
      : `${keyLabel(key)} (${key.keyId}) is already trusted.`
    : `Imported ${keyLabel(key)} (${key.keyId}). Compare its fingerprint below with the one the publisher gave you.`;
  return (
    <p role="status" class="settings__outcome">
      {text}
    </p>
  );
}

function ImportKeyForm() {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<KeyImportOutcome | undefined>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  const run = async (keyText: string) => {
    setBusy(true);
    const result = await importPublicKey(keyText, name);
    setOutcome(result);
    setBusy(false);
    if (result.ok) {
      setText('');
      setName('');
    }
  };
  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await run(await file.text());
  };
  return (
    <form
      class="settings__form"
      aria-label="Import a trusted key"
      onSubmit={(e) => {
        e.preventDefault();
        void run(text);
      }}
    >
      <label class="settings__field">
        Public key (PEM or .pub.json)
        <textarea rows={5} value={text} spellcheck={false} onInput={(e) => setText(e.currentTarget.value)} placeholder="-----BEGIN PUBLIC KEY-----" />
      </label>
      <label class="settings__field">
        Name (optional)
        <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Acme release key" />
      </label>
      <div class="settings__actions">
        <button type="submit" class="button button--primary" disabled={busy || text.trim() === ''}>
          Import key
        </button>
        <button type="button" class="button" disabled={busy} onClick={() => fileInput.current?.click()}>
          Pick a key file…
        </button>
        <input ref={fileInput} type="file" hidden accept=".json,.pem,.pub,application/json" aria-label="Public key file" onChange={(e) => void pick(e.currentTarget)} />
      </div>
      {outcome && <ImportOutcome outcome={outcome} />}
    </form>
  );
}

function KeyItem({ trusted }: { trusted: StoredTrustedKey }) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const revoked = trusted.revokedAt !== undefined;
  const label = keyLabel(trusted);
  const revoke = () => {
    setAsking(false);
    revokeTrustedKey(trusted.keyId).catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };
  return (
    <li class={`settings__key${revoked ? ' settings__key--revoked' : ''}`} aria-label={`${label}${revoked ? ', revoked' : ''}`}>
      <dl class="settings__facts">
        <dt>Name</dt>
        <dd>{trusted.name ?? '(none given)'}</dd>
        <dt>Key id</dt>
        <dd class="settings__mono">{trusted.keyId}</dd>
        <dt>Algorithm</dt>
        <dd>{ALGORITHM_NAMES[trusted.algorithm]}</dd>
        <dt>Fingerprint</dt>
        <dd class="settings__mono">{formatFingerprint(trusted.fingerprint)}</dd>
        <dt>Status</dt>
        <dd>{revoked ? `Revoked ${new Date(trusted.revokedAt!).toLocaleString()}: its signatures are refused` : 'Trusted'}</dd>
      </dl>
      {!revoked && (
        <button type="button" class="button button--danger" aria-label={`Revoke ${label}`} onClick={() => setAsking(true)}>
          Revoke
        </button>
      )}
      {asking && (
        <ConfirmDialog label={`Confirm revoking ${label}`} confirmText="Revoke the key" keepText="Keep trusting it" onConfirm={revoke} onKeep={() => setAsking(false)}>
          <p>
            Revoke {label} ({trusted.keyId})? Every release it signed, those already in the library included, will be refused for install. Do this when
            the key may be in the wrong hands.
          </p>
          <p>The key stays listed as revoked; importing it again does not trust it again.</p>
        </ConfirmDialog>
      )}
      {problem && (
        <p role="alert" class="alert">
          {problem}
        </p>
      )}
    </li>
  );
}

export function TrustedKeysSection() {
  const settings = useTrustSettings();
  return (
    <section class="settings__section" aria-labelledby="trusted-keys-heading">
      <h3 id="trusted-keys-heading">Trusted keys</h3>
      <p>
        Releases signed with one of these publishers' keys can be installed. Get a publisher's public key from them directly and compare its
        fingerprint with theirs before trusting it.
      </p>
      <ImportKeyForm />
      {settings.state === 'loading' && <p>Reading the trusted keys…</p>}
      {settings.state === 'failed' && (
        <p role="alert" class="alert">
          The trusted keys could not be read: {settings.message}
        </p>
      )}
      {settings.state === 'ready' &&
        (settings.keys.length === 0 ? (
          <p>No keys yet: signed releases are refused until their publisher's key is imported.</p>
        ) : (
          <ul class="settings__list" aria-label="Trusted keys">
            {settings.keys.map((k) => (
              <KeyItem key={k.keyId} trusted={k} />
            ))}
          </ul>
        ))}
    </section>
  );
}
