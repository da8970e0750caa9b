// One port, one tab: a Web Lock held for as long as a tab has the port, so a second tab is told instead of colliding.

export interface PortLock {
  readonly name: string;
  release(): void;
}

/** The lock name for a port: the USB ids are the only identity Web Serial gives a port. */
export function portLockName(info: { usbVendorId?: number | undefined; usbProductId?: number | undefined }, simulated = false): string {
  if (simulated) return 'fieldflash-serial-simulated';
  const id = (n: number | undefined) => (n === undefined ? 'unknown' : n.toString(16).padStart(4, '0'));
  return `fieldflash-serial-${id(info.usbVendorId)}-${id(info.usbProductId)}`;
}

/**
 * Takes the lock if no other tab holds it. Resolves to undefined when another tab has it.
 * Browsers without Web Locks get a lock that guards nothing (they are also the ones without Web Serial).
 */
export async function acquirePortLock(name: string): Promise<PortLock | undefined> {
  if (typeof navigator === 'undefined' || !navigator.locks) return { name, release() {} };
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const granted = await new Promise<boolean>((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        // The lock lasts until this promise settles.
        return lock === null ? undefined : held;
      })
      .catch(reject);
  });
  if (!granted) return undefined;
  let released = false;
  return {
    name,
    release() {
      if (released) return;
      released = true;
      release();
    },
  };
}
