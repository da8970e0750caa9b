// A row's Signature cell. The verdict's code (its words, the keys, the checks) loads after the list has painted,
// keeping it out of the first page load; the cell fills in as soon as it arrives.
import { LazyPart } from '../lazy-view.tsx';
import type { ReleaseSummary } from '../store/index.ts';

const loadTrustLabel = () => import('../trust/trust-label.tsx').then((m) => m.TrustLabel);

export function TrustCell({ release }: { release: ReleaseSummary }) {
  return <LazyPart load={loadTrustLabel} what="signature check" quiet props={{ release }} />;
}
