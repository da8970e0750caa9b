// A release's trust in words where releases are listed: the short label, with the whole reason for assistive
// technology and on hover.
import type { ReleaseSummary } from '../store/index.ts';
import { trustInWords } from './trust-words.ts';
import { useReleaseTrust } from './use-release-trust.ts';

export function TrustLabel({ release }: { release: ReleaseSummary }) {
  const reading = useReleaseTrust(release);
  if (reading.state === 'reading') return <span class="trust-label">Checking…</span>;
  if (reading.state === 'failed') return <span class="trust-label trust-label--refused">Not checked: {reading.message}</span>;
  const words = trustInWords(reading.trust);
  const full = words.message ? [`${words.short}.`, words.message, words.hint].join(' ') : words.label;
  return (
    <span class={`trust-label${words.blocked ? ' trust-label--refused' : ''}`} title={full} aria-description={full === words.short ? undefined : full}>
      {words.short}
    </span>
  );
}

/** The whole verdict, for a release's details: who signed it, or why it is refused and what to do. */
export function TrustDetails({ release }: { release: ReleaseSummary }) {
  const reading = useReleaseTrust(release);
  if (reading.state === 'reading') return <>Checking…</>;
  if (reading.state === 'failed') return <>Not checked: {reading.message}</>;
  const words = trustInWords(reading.trust);
  return (
    <>
      <span class={words.blocked ? 'trust-label--refused' : undefined}>{words.label}</span>
      {words.message && !words.label.includes(words.message) && <> ({words.message})</>}
      {words.hint && <> {words.hint}</>}
    </>
  );
}
