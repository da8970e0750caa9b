// The status area: what the service worker says, and the update button that waits for running operations.
import { useSharedState } from '../shared-state.ts';
import { useRunningOperations } from '../use-operations.ts';
import { applyUpdate, serviceWorkerStatus, type ServiceWorkerStatus } from './service-worker.ts';
import './status-area.css';

function messageFor(status: ServiceWorkerStatus): string {
  switch (status.state) {
    case 'unsupported':
      return 'This browser cannot keep FieldFlash for offline use.';
    case 'installing':
      return '';
    case 'offline-ready':
      return 'Ready to work offline';
    case 'update-available':
      return 'Update available';
    case 'updating':
      return 'Updating…';
    case 'failed':
      return status.message;
  }
}

export function StatusArea() {
  const status = useSharedState(serviceWorkerStatus);
  const operations = useRunningOperations();
  const busy = operations.length > 0;
  return (
    <div class="status-area">
      <p role="status" class={`status-area__message status-area__message--${status.state}`}>
        {messageFor(status)}
      </p>
      {status.state === 'update-available' && (
        <>
          <button type="button" class="button button--primary" disabled={busy} aria-describedby={busy ? 'update-wait' : undefined} onClick={() => void applyUpdate()}>
            Reload to update
          </button>
          {busy && (
            <p id="update-wait" class="status-area__wait">
              The update waits until this finishes: {operations.map((o) => o.label).join(', ')}.
            </p>
          )}
        </>
      )}
      {status.state === 'updating' && busy && (
        <p class="status-area__wait">Reloads when this finishes: {operations.map((o) => o.label).join(', ')}.</p>
      )}
    </div>
  );
}
