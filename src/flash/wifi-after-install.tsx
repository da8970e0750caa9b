// The Flash view's hook into Wi-Fi setup (src/provision): offered once an install is done and the console is open.
import { WifiProvisioning } from '../provision/wifi-provisioning.tsx';
import { flashController } from './flash-controller.ts';
import { flashState, useWatched } from './flash-state.ts';

export function WifiAfterInstall() {
  const connection = useWatched(flashState.connection);
  const activity = useWatched(flashState.activity);
  const outcome = useWatched(flashState.outcome);
  if (!outcome || activity !== 'monitoring' || connection.status !== 'connected') return null;
  return (
    <WifiProvisioning
      openShare={() => flashController.sharedConsole()}
      identity={connection.identity}
      simulated={connection.simulated}
      releaseLabel={outcome.releaseLabel}
      installId={outcome}
      log={flashController.log}
    />
  );
}
