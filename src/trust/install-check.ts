// The last look before any byte goes to a device, over USB or the network: the library copy must still be what was
// imported (each file's SHA-256 computed again from the stored bytes) and the release must still be trusted under
// the keys and policy kept now. Every install path reads its release through here.
import { getRelease, type StoredRelease } from '../store/index.ts';
import { currentVerdict } from './verdicts.ts';
import { trustInWords } from './trust-words.ts';

/** Installing was refused before anything was written: why, and what to do. */
export class InstallRefused extends Error {
  readonly code: 'damaged' | 'not-trusted';
  readonly hint: string;

  constructor(code: 'damaged' | 'not-trusted', message: string, hint: string) {
    super(message);
    this.name = 'InstallRefused';
    this.code = code;
    this.hint = hint;
  }
}

async function sha256Hex(data: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await data.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Refuses a release whose stored bytes no longer have the digest recorded at import. */
export async function checkLibraryCopy(release: StoredRelease): Promise<void> {
  for (const file of release.files) {
    if ((await sha256Hex(file.data)) === file.sha256) continue;
    throw new InstallRefused(
      'damaged',
      `The library's copy of ${release.product} ${release.version} was changed or damaged: ${file.path} no longer has the SHA-256 it had when imported. Nothing was written.`,
      'Delete this release from the library and import it again from the publisher\'s file.',
    );
  }
}

/** Refuses a release that is not trusted now (a key revoked, unsigned releases of its product no longer allowed). */
export async function checkTrusted(release: StoredRelease): Promise<void> {
  const words = trustInWords(await currentVerdict(release));
  if (words.blocked) throw new InstallRefused('not-trusted', `${release.product} ${release.version} cannot be installed: ${words.message} Nothing was written.`, words.hint ?? '');
}

/** The release with its bytes, checked and trusted; undefined when it is not in the library. */
export async function releaseForInstall(id: string): Promise<StoredRelease | undefined> {
  const release = await getRelease(id);
  if (!release) return undefined;
  await checkLibraryCopy(release);
  await checkTrusted(release);
  return release;
}
