export { startServiceWorker, applyUpdate, serviceWorkerStatus, type ServiceWorkerStatus } from './service-worker.ts';
export { StatusArea } from './status-area.tsx';
