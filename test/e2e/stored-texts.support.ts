// Everything the page keeps, read back raw (not through FieldFlash's own code), as text to search for secrets.
import type { Page } from 'playwright-core';

/**
 * Every database and object store in IndexedDB, localStorage and sessionStorage: each string as it is, each byte
 * array as hex, base64 and latin-1, each Blob as latin-1. A CryptoKey gives only what it says of itself (its bytes
 * cannot be read, which is the point).
 */
export function everyStoredText(page: Page): Promise<{ stores: string[]; texts: string[] }> {
  return page.evaluate(async () => {
    const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const latin1 = (bytes: Uint8Array) => {
      let out = '';
      for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return out;
    };
    const texts: string[] = [];
    const stores: string[] = [];
    const walk = async (value: unknown): Promise<void> => {
      if (typeof value === 'string') texts.push(value);
      else if (typeof value === 'number' || typeof value === 'boolean') texts.push(String(value));
      else if (value instanceof Blob) texts.push(latin1(new Uint8Array(await value.arrayBuffer())));
      else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        const text = latin1(bytes);
        texts.push(hex(bytes), btoa(text), text);
      } else if (value instanceof CryptoKey) texts.push(`CryptoKey ${value.algorithm.name} extractable=${value.extractable}`);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          texts.push(k);
          await walk(v);
        }
      }
    };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const storeName of db.objectStoreNames) {
        stores.push(`${name}/${storeName}`);
        const [keys, records] = await new Promise<[IDBValidKey[], unknown[]]>((resolve, reject) => {
          const store = db.transaction(storeName).objectStore(storeName);
          const keys = store.getAllKeys();
          const all = store.getAll();
          all.onsuccess = () => resolve([keys.result, all.result]);
          all.onerror = () => reject(all.error);
        });
        for (const key of keys) await walk(key);
        for (const record of records) await walk(record);
      }
      db.close();
    }
    for (const storage of [localStorage, sessionStorage]) for (let i = 0; i < storage.length; i++) texts.push(storage.key(i)!, storage.getItem(storage.key(i)!)!);
    return { stores, texts };
  });
}

/** The secret as it could be written down: as typed, and its UTF-8 bytes in hex and base64 (URL-safe too). */
export function writtenForms(secret: string | Uint8Array): string[] {
  const bytes = Buffer.from(secret);
  const forms = [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, '')];
  return typeof secret === 'string' ? [secret, encodeURIComponent(secret), ...forms] : [bytes.toString('latin1'), ...forms];
}
