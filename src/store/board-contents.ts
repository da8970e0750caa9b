// What FieldFlash last wrote to a board over USB, kept in the board's device record (keyed by its MAC), so the next
// write can compare the new release with it here instead of asking the board about every sector.
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { WrittenPart, WrittenRelease } from './records.ts';

export type { WrittenPart, WrittenRelease } from './records.ts';

/** What FieldFlash last wrote to the board with this MAC and verified; undefined when it does not know. */
export async function lastWritten(mac: string): Promise<WrittenRelease | undefined> {
  try {
    return (await (await database()).get('devices', mac))?.written;
  } catch (error) {
    throw storeErrorFrom(error, `read what was written to ${mac}`);
  }
}

/** Records what the board now holds; undefined while a write is under way or after one that did not finish. */
export async function rememberWritten(mac: string, written: WrittenRelease | undefined): Promise<void> {
  try {
    const db = await database();
    const tx = db.transaction('devices', 'readwrite');
    const stored = await tx.store.get(mac);
    const { written: _previous, ...rest } = stored ?? { mac };
    if (written) await tx.store.put({ ...rest, written });
    else if (stored && typeof rest.url === 'string') await tx.store.put(rest); // its network identity stays
    else if (stored) await tx.store.delete(mac);
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, `remember what was written to ${mac}`);
  }
}
