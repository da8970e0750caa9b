/// <reference lib="webworker" />
// The FieldFlash service worker: precache every built asset (lazy chunks included) so the app runs offline.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first install takes the page that registered it, so the first visit already works offline.
// Later versions still wait for SKIP_WAITING: claiming only affects pages no worker controls yet.
clientsClaim();
// Any navigation (including a launch through file_handlers) gets the app shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// The page decides when to take over: an update never interrupts a running flash or import.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});
