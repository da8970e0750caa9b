/** The Flash view: first install over USB (or into the simulated ESP32), with a serial console after. */
import { ConnectPanel } from './connect-panel.tsx';
import { flashState, useWatched } from './flash-state.ts';
import { InstallPanel } from './install-panel.tsx';
import { FlashLog, ProblemAlert, ProgressPanel } from './progress-panel.tsx';
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
          <ConnectPanel />
          <SimulatedPanel />
          {connected && <InstallPanel identity={connection.identity} simulated={connection.simulated} />}
          <ProgressPanel />
          <WifiAfterInstall />
        </div>
        <div>
          <SerialConsole connected={connected} />
          <FlashLog />
        </div>
      </div>
    </section>
  );
}
