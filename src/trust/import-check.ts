// The look at a release's signature on import: a signature that does not match its manifest (the release was
// changed after signing) or cannot be read is refused there and then, and nothing is stored. A release signed with
// a key this laptop does not trust, or not signed, is stored and shown as such: installing it waits for the
// technician's decision (install-check.ts).
import type { Release } from '@fieldflash/bundle';
import { currentVerdict } from './verdicts.ts';

/** A release refused on import; named so the library's failure messages show it with its hint. */
export class ReleaseRefused extends Error {
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.name = 'ReleaseRefused';
    this.hint = hint;
  }
}

/** Throws for the first release whose signature shows it was tampered with. */
export async function refuseTampered(releases: readonly Release[]): Promise<void> {
  for (const release of releases) {
    const trust = await currentVerdict(release);
    if (trust.verdict !== 'refused' || (trust.reason !== 'bad-signature' && trust.reason !== 'malformed')) continue;
    throw new ReleaseRefused(`${release.product} ${release.version} was refused: ${trust.message} Nothing was stored.`, trust.hint);
  }
}
