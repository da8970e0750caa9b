// What FieldFlash remembers about the board it writes to, by MAC: the release it last wrote and verified, with a
// digest of each 4 KiB sector of each part, so the next write to the same board skips the sectors that stay the
// same. The record is dropped before a write starts and kept again only once the write is verified: a board whose
// write was cut short is compared with the board's own MD5s next time.
import { partContents } from '../serial/fast-reflash.ts';
import type { WriteReport } from '../serial/esp-session.ts';
import { lastWritten, rememberWritten, type WrittenRelease } from '../store/index.ts';

type Log = (line: string) => void;

const storeTrouble = (log: Log, what: string) => (error: unknown) => {
  log(`Could not ${what} in this browser's storage (${error instanceof Error ? error.message : String(error)}); the next write compares with the board instead.`);
};

/** What FieldFlash last wrote to this board, if it knows; storage trouble only costs the shortcut. */
export async function knownContents(mac: string, log: Log): Promise<WrittenRelease | undefined> {
  return lastWritten(mac).catch((error: unknown) => {
    storeTrouble(log, 'read what was last written to this board')(error);
    return undefined;
  });
}

/** From now until the write is verified, the board's content is not known. */
export async function forgetContents(mac: string, log: Log): Promise<void> {
  await rememberWritten(mac, undefined).catch(storeTrouble(log, 'update the record of this board'));
}

export async function rememberContents(mac: string, release: { id: string; label: string }, report: WriteReport, log: Log): Promise<void> {
  try {
    const parts = await Promise.all(report.parts.map((p) => partContents(p.name, p.offset, p.data)));
    await rememberWritten(mac, { releaseId: release.id, label: release.label, writtenAt: Date.now(), parts });
  } catch (error) {
    storeTrouble(log, 'remember what was written to this board')(error);
  }
}

/** "12 May, 14:03": when the board was last written, in the technician's locale. */
export function writtenWhen(at: number): string {
  return new Date(at).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
