// This installation's client id (docs/protocol.md §4.5): the same after a reload, so a device lets the page resume
// its own update session instead of answering `busy`. Not a secret.
const KEY = 'fieldflash-client-id';

let cached: string | undefined;

export function clientId(): string {
  if (cached) return cached;
  let id: string | null = null;
  try {
    id = localStorage.getItem(KEY);
  } catch {
    // Storage refused (a locked-down profile): a per-page id still works, it only cannot resume after a reload.
  }
  if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    const random = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('');
    id = `fieldflash-app-${random}`;
    try {
      localStorage.setItem(KEY, id);
    } catch {
      // as above
    }
  }
  cached = id;
  return id;
}
