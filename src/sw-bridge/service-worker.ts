// Registers the service worker and turns its life cycle into what a technician needs to know:
// "ready to work offline" and "update available". The page decides when to update, never mid-operation.
// Only the type: workbox-window loads once the page has painted (startServiceWorker), never before it.
import type { Workbox } from 'workbox-window';
import { SharedState } from '../shared-state.ts';
import { whenNoOperationRuns } from '../operations.ts';

export type ServiceWorkerStatus =
  | { state: 'unsupported' }
  | { state: 'installing' }
  | { state: 'offline-ready' }
  | { state: 'update-available' }
  | { state: 'updating' }
  | { state: 'failed'; message: string };

export const serviceWorkerStatus = new SharedState<ServiceWorkerStatus>({ state: 'installing' });

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

let workbox: Workbox | undefined;
let updateRequested = false;

function notInstalled(error: unknown): string {
  return `Offline use is not available: the service worker did not install (${error instanceof Error ? error.message : String(error)}).`;
}

async function reloadWhenIdle(): Promise<void> {
  // An update swaps every script on the page: wait for imports and flashes to end first.
  await whenNoOperationRuns();
  window.location.reload();
}

export async function startServiceWorker(scriptUrl = '/sw.js'): Promise<void> {
  if (!('serviceWorker' in navigator)) {
    serviceWorkerStatus.set({ state: 'unsupported' });
    return;
  }
  let wb: Workbox;
  try {
    wb = new (await import('workbox-window')).Workbox(scriptUrl);
  } catch (error) {
    serviceWorkerStatus.set({ state: 'failed', message: notInstalled(error) });
    return;
  }
  workbox = wb;
  let controlled = navigator.serviceWorker.controller !== null;
  const controlledAtStart = controlled;

  // Workbox reports any version found after the first minute as "external"; the platform's own events
  // say the same thing for every version, so the decisions rest on them.
  wb.addEventListener('waiting', () => serviceWorkerStatus.set({ state: 'update-available' }));
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const firstInstall = !controlled;
    controlled = true;
    if (firstInstall) serviceWorkerStatus.set({ state: 'offline-ready' });
    else if (updateRequested) void reloadWhenIdle();
    // Activated from another window: this page still runs the old scripts until it reloads.
    else serviceWorkerStatus.set({ state: 'update-available' });
  });

  wb.register()
    .then((registration) => {
      if (!registration) return;
      if (controlledAtStart && !registration.waiting) serviceWorkerStatus.set({ state: 'offline-ready' });
      setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_INTERVAL_MS);
    })
    .catch((error: unknown) => {
      serviceWorkerStatus.set({ state: 'failed', message: notInstalled(error) });
    });
}

/** Activates the waiting version; the page reloads once no operation is running. */
export async function applyUpdate(): Promise<void> {
  if (!workbox) return;
  await whenNoOperationRuns();
  updateRequested = true;
  serviceWorkerStatus.set({ state: 'updating' });
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration?.waiting) registration.waiting.postMessage({ type: 'SKIP_WAITING' });
  // Another window may already have activated it: then only this page is stale.
  else void reloadWhenIdle();
}
