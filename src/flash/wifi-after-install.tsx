// The Flash view's hook into Wi-Fi setup (src/provision): offered once the board has started the app that was
// written (or an app FieldFlash cannot check) and the console is open; never to MicroPython, whose REPL would
// take Improv's bytes for Ctrl keys.
import { WifiProvisioning } from '../provision/wifi-provisioning.tsx';
import { flashController } from './flash-controller.ts';
import { flashState, useWatched } from './flash-state.ts';
import { consoleShowsMicroPython, micropythonState } from './micropython-install.ts';

export function WifiAfterInstall() {
  const connection = useWatched(flashState.connection);
  const activity = useWatched(flashState.activity);
  const boot = useWatched(flashState.boot);
  const console = useWatched(flashState.console);
  useWatched(micropythonState.seen);
  if (boot?.status !== 'done' || (boot.outcome !== 'booted' && boot.outcome !== 'unchecked')) return null;
  if (activity !== 'monitoring' || connection.status !== 'connected') return null;
  if (consoleShowsMicroPython(console)) return null;
  return (
    <WifiProvisioning
      openShare={() => flashController.sharedConsole()}
      identity={connection.identity}
      simulated={connection.simulated}
      releaseLabel={boot.releaseLabel}
      installId={boot}
      log={flashController.log}
    />
  );
}
