/**
 * The Flash view: first install over USB (or into the simulated ESP32), with a serial console after.
 * The main path: connect, release and Flash down the left column, then progress and the boot verdict at the
 * top of the right one; the console and the folded-away tools come after, so nothing pushes the path off screen.
 */
import { ConnectPanel } from './connect-panel.tsx';
import { flashState, useWatched } from './flash-state.ts';
import { FlashLog } from './flash-log.tsx';
import { InstallPanel } from './install-panel.tsx';
import { MicroPythonPanel } from './micropython-panel.tsx';
import { ProblemAlert, ProgressPanel } from './progress-panel.tsx';
import { RequestedBeforeConnect } from './requested-release.tsx';
import { SerialConsole } from './serial-console.tsx';
import { SimulatedPanel } from './simulated-panel.tsx';
import { WifiAfterInstall } from './wifi-after-install.tsx';
import './flash.css';

export function FlashView() {
  const connection = useWatched(flashState.connection);
  const connected = connection.status === 'connected';
  return (
    <section aria-labelledby="flash-heading" class="flash-view">
      <h2 id="flash-heading">Flash over USB</h2>
      <ProblemAlert />
      <div class="flash-columns">
        <div>
          {!connected && <RequestedBeforeConnect />}
          <ConnectPanel />
          {connected && <InstallPanel identity={connection.identity} simulated={connection.simulated} />}
        </div>
        <div>
          <ProgressPanel />
          <MicroPythonPanel />
          <WifiAfterInstall />
          <SerialConsole connected={connected} />
          <SimulatedPanel />
          <FlashLog />
        </div>
      </div>
    </section>
  );
}
