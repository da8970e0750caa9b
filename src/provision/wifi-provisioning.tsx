// Wi-Fi setup after a first install: if the running firmware speaks Improv Serial, offer the networks it sees,
// send SSID and password, show its state and errors, and keep the URL it reports with the device's identity.
import { useEffect, useState } from 'preact/hooks';
import type { DeviceIdentity } from '../serial/device-identity.ts';
import type { SharedPortView } from '../serial/serial-monitor.ts';
import { hrefFor } from '../routes.ts';
import { webHref } from '../web-link.ts';
import { saveDevice } from '../store/devices.ts';
import { ImprovLink, type WifiNetwork, type WifiState } from './improv-link.ts';
import { ProvisioningProblem } from './provisioning-problems.ts';
import { NetworkForm } from './network-form.tsx';
import './provision.css';

export interface WifiProvisioningProps {
  /** The open serial console's port, shared; undefined when the console is closed. */
  openShare: () => SharedPortView | undefined;
  identity: DeviceIdentity;
  simulated: boolean;
  /** What was just installed ("FieldFlash Demo 1.0.0"). */
  releaseLabel: string;
  /** Changes with each install, so detection starts again. */
  installId: unknown;
  log: (line: string) => void;
  /** How long a device may take to answer after its reset (it may still be booting). */
  detectMs?: number;
}

const DEFAULT_DETECT_MS = 8000;

type Phase =
  | { kind: 'detecting' }
  | { kind: 'absent' }
  | { kind: 'stopped' }
  | { kind: 'ready'; link: ImprovLink };

type Networks = { kind: 'scanning' } | { kind: 'found'; list: WifiNetwork[] } | { kind: 'unavailable'; reason: string };

interface Joined {
  ssid: string | undefined;
  url: string | undefined;
  saved: 'saving' | 'saved' | { failed: string };
}

const STATE_TEXT: Record<WifiState, string> = {
  stopped: 'Wi-Fi setup is switched off on the device (stopped).',
  authorized: 'Ready for Wi-Fi settings (authorized).',
  provisioning: 'Connecting to the network… (provisioning)',
  provisioned: 'Connected to Wi-Fi (provisioned).',
};

export function WifiProvisioning(props: WifiProvisioningProps) {
  const { openShare, identity, simulated, releaseLabel, installId, log } = props;
  const detectMs = props.detectMs ?? DEFAULT_DETECT_MS;
  const [attempt, setAttempt] = useState(0);
  const [phase, setPhase] = useState<Phase>({ kind: 'detecting' });
  const [state, setState] = useState<WifiState>('authorized');
  const [networks, setNetworks] = useState<Networks>({ kind: 'scanning' });
  const [problem, setProblem] = useState<ProvisioningProblem | undefined>(undefined);
  const [joined, setJoined] = useState<Joined | undefined>(undefined);

  const remember = (link: ImprovLink, ssid: string | undefined, url: string | undefined) => {
    setJoined({ ssid, url, saved: 'saving' });
    // Only a web address is somewhere Devices can reach the board; anything else is shown, never kept.
    if (!url || !webHref(url)) return;
    saveDevice({
      mac: identity.mac,
      chipName: identity.chipName,
      model: identity.model,
      release: releaseLabel,
      firmware: { name: link.info.firmware, version: link.info.version },
      deviceName: link.info.name,
      url,
      ...(ssid ? { ssid } : {}),
      provisionedAt: Date.now(),
      simulated,
    }).then(
      () => setJoined({ ssid, url, saved: 'saved' }),
      (error: unknown) => setJoined({ ssid, url, saved: { failed: error instanceof Error ? error.message : String(error) } }),
    );
  };

  const scan = async (link: ImprovLink) => {
    setNetworks({ kind: 'scanning' });
    try {
      setNetworks({ kind: 'found', list: await link.scan() });
    } catch (error) {
      setNetworks({ kind: 'unavailable', reason: error instanceof ProvisioningProblem ? `${error.message} ${error.nextStep}` : String(error) });
    }
  };

  useEffect(() => {
    let current: ImprovLink | undefined;
    let cancelled = false;
    setPhase({ kind: 'detecting' });
    setProblem(undefined);
    setJoined(undefined);
    const share = openShare();
    if (!share) {
      setPhase({ kind: 'stopped' });
      return;
    }
    void ImprovLink.detect(share, detectMs).then((link) => {
      if (cancelled) {
        void link?.close();
        return;
      }
      if (!link) {
        void share.readable.cancel().catch(() => undefined);
        log(`Wi-Fi setup: no Improv Serial answer within ${detectMs / 1000} s; this firmware does not offer Wi-Fi setup over USB.`);
        setPhase({ kind: 'absent' });
        return;
      }
      current = link;
      log(`Wi-Fi setup: ${link.info.firmware} ${link.info.version} ("${link.info.name}") offers Wi-Fi setup over USB (Improv Serial).`);
      setState(link.state);
      link.onStateChange(setState);
      link.onClosed(() => {
        if (!cancelled) setPhase({ kind: 'stopped' });
      });
      setPhase({ kind: 'ready', link });
      if (link.state === 'provisioned') {
        log(`Wi-Fi setup: the device is already on a network, at ${link.url ?? 'an address it did not report'}.`);
        remember(link, undefined, link.url);
      }
      void scan(link);
    });
    return () => {
      cancelled = true;
      void current?.close();
    };
  }, [installId, attempt]);

  const connect = async (ssid: string, password: string): Promise<boolean> => {
    if (phase.kind !== 'ready') return false;
    const link = phase.link;
    setProblem(undefined);
    setJoined(undefined);
    log(`Wi-Fi setup: sending the settings for "${ssid}" (password not logged).`);
    try {
      const url = await link.provision(ssid, password);
      log(`Wi-Fi setup: connected to "${ssid}"; the device is at ${url ?? 'an address it did not report'}.`);
      remember(link, ssid, url);
      return true;
    } catch (error) {
      const shown =
        error instanceof ProvisioningProblem ? error : new ProvisioningProblem('device-error', `Wi-Fi setup failed: ${String(error)}`, 'Press "Reset board" and try again.');
      log(`Wi-Fi setup: ${shown.message}`);
      setProblem(shown);
      return false;
    }
  };

  const checkAgain = (
    <button type="button" class="button" onClick={() => setAttempt((n) => n + 1)}>
      Check for Wi-Fi setup again
    </button>
  );

  return (
    <section class="flash-step wifi-setup" aria-labelledby="wifi-heading">
      <h3 id="wifi-heading">Wi-Fi setup</h3>
      {phase.kind === 'detecting' && <p role="status">Checking whether the firmware offers Wi-Fi setup over USB…</p>}
      {phase.kind === 'absent' && (
        <div class="flash-row">
          <p role="status" class="flash-hint">
            This firmware does not offer Wi-Fi setup over USB.
          </p>
          {checkAgain}
        </div>
      )}
      {phase.kind === 'stopped' && (
        <div class="flash-row">
          <p role="status">Wi-Fi setup stopped: the serial console was closed or reopened.</p>
          {checkAgain}
        </div>
      )}
      {phase.kind === 'ready' && (
        <>
          <p>
            {phase.link.info.firmware} {phase.link.info.version} on {phase.link.info.chipFamily} ("{phase.link.info.name}") can join a Wi-Fi
            network.
          </p>
          <p role="status" aria-label="Device Wi-Fi state" class={`wifi-state wifi-state--${state}`}>
            {STATE_TEXT[state]}
          </p>
          <NetworkForm
            networks={networks.kind === 'found' ? networks.list : []}
            scanNote={networks.kind === 'scanning' ? 'Scanning for networks…' : networks.kind === 'unavailable' ? networks.reason : undefined}
            busy={state === 'provisioning'}
            onConnect={connect}
            onScan={() => void scan(phase.link)}
          />
          {problem && (
            <div role="alert" class="alert wifi-problem">
              <p class="alert__title">{problem.message}</p>
              <p class="alert__hint">{problem.nextStep}</p>
            </div>
          )}
          {joined && <JoinedResult joined={joined} mac={identity.mac} />}
        </>
      )}
    </section>
  );
}

function JoinedResult({ joined, mac }: { joined: Joined; mac: string }) {
  return (
    <div role="status" aria-label="Wi-Fi result" class="flash-outcome">
      <p class="flash-outcome__title">{joined.ssid ? `Connected to "${joined.ssid}".` : 'The device is already on a network.'}</p>
      {joined.url ? (
        <p>
          The device is at{' '}
          {webHref(joined.url) ? (
            <a href={webHref(joined.url)} target="_blank" rel="noopener noreferrer">
              {joined.url}
            </a>
          ) : (
            <>
              <code>{joined.url}</code> (not a web address, so not a link)
            </>
          )}
        </p>
      ) : (
        <p>The device did not say where it can be reached; look for it on your router or in the serial console.</p>
      )}
      {joined.url && joined.saved === 'saved' && (
        <p>
          Saved with this device's identity, for LAN updates: <a href={hrefFor('devices', { board: mac })}>add it in Devices</a> with its pairing
          secret.
        </p>
      )}
      {typeof joined.saved === 'object' && <p>Could not save the device's address: {joined.saved.failed}</p>}
    </div>
  );
}
