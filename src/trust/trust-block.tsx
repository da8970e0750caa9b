// Where a release would be installed (Flash view, MicroPython install, a device's update): a release that is not
// trusted is blocked right there, with the reason and the way out: trust the publisher's key in Settings, or, for an
// unsigned release, allow unsigned releases of its product after a confirmation that says what that means.
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../devices/confirm-dialog.tsx';
import { hrefFor } from '../routes.ts';
import { allowUnsignedReleases, type ReleaseSummary } from '../store/index.ts';
import { trustInWords, type TrustInWords } from './trust-words.ts';
import { useReleaseTrust } from './use-release-trust.ts';
import './trust.css';

export type InstallGate = { state: 'checking' } | { state: 'open'; words?: TrustInWords } | { state: 'blocked'; words?: TrustInWords; message: string; hint: string; unsigned: boolean };

/**
 * Whether the release may be installed now; follows key and policy changes live. No release (nothing chosen, or
 * something FieldFlash carries itself, like the demo tree) is open: there is nothing to judge.
 */
export function useInstallGate(release: ReleaseSummary | undefined): InstallGate {
  const reading = useReleaseTrust(release);
  if (!release) return { state: 'open' };
  if (reading.state === 'reading') return { state: 'checking' };
  if (reading.state === 'failed') return { state: 'blocked', message: `Its signature could not be checked: ${reading.message}`, hint: 'Reload FieldFlash and try again.', unsigned: false };
  const words = trustInWords(reading.trust);
  if (!words.blocked) return { state: 'open', words };
  const unsigned = reading.trust.verdict === 'refused' && reading.trust.reason === 'unsigned';
  return { state: 'blocked', words, message: words.message ?? words.label, hint: words.hint ?? '', unsigned };
}

/** Asks before allowing unsigned releases of a product, saying what it means. */
export function AllowUnsignedButton({ product }: { product: string }) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const allow = () => {
    setAsking(false);
    allowUnsignedReleases(product).catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };
  return (
    <>
      <button type="button" class="button" onClick={() => setAsking(true)}>
        Allow unsigned releases of {product}
      </button>
      {asking && (
        <ConfirmDialog
          label={`Confirm allowing unsigned releases of ${product}`}
          confirmText={`Allow unsigned releases of ${product}`}
          keepText="Keep refusing them"
          onConfirm={allow}
          onKeep={() => setAsking(false)}
        >
          <p>
            FieldFlash will install releases of {product} that carry no signature. Nothing then shows who made them or that they were not
            changed on the way: allow it only if you know where these releases come from.
          </p>
          <p>A release signed with an untrusted or revoked key stays refused. You can withdraw this permission in Settings.</p>
        </ConfirmDialog>
      )}
      {problem && (
        <p role="alert" class="trust-block__problem">
          {problem}
        </p>
      )}
    </>
  );
}

/** The reason a release cannot be installed, and the way out. */
export function TrustBlock({ release, gate }: { release: ReleaseSummary; gate: Extract<InstallGate, { state: 'blocked' }> }) {
  const name = `${release.product} ${release.version}`;
  return (
    <div class="trust-block" role="group" aria-label={`${name} cannot be installed`}>
      <p class="trust-block__title">
        {name} cannot be installed: {gate.words?.short ?? 'its signature was not checked'}.
      </p>
      <p>{gate.message}</p>
      <p class="trust-block__hint">{gate.hint}</p>
      {gate.unsigned ? (
        <AllowUnsignedButton product={release.product} />
      ) : (
        <a class="button" href={hrefFor('settings')}>
          Open Settings: trusted keys
        </a>
      )}
    </div>
  );
}

/** The block for a release, shown only while it is blocked (it goes once the technician trusts it). */
export function TrustNotice({ release }: { release: ReleaseSummary }) {
  const gate = useInstallGate(release);
  return gate.state === 'blocked' ? <TrustBlock release={release} gate={gate} /> : null;
}
