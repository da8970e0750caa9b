// The Devices view: devices paired for LAN updates, each checked when the view opens, and added here by address
// and secret, pairing link, or from a board set up over USB.
import { useEffect, useRef } from 'preact/hooks';
import { useRoute } from '../routes.ts';
import { AddDevicePanel } from './add-device-panel.tsx';
import { CompatDevicesSection } from './compat-devices-section.tsx';
import { BulkUpdateBar } from './bulk-update-bar.tsx';
import { DeviceCard } from './device-card.tsx';
import { resumeInterruptedUpdates } from './update-runs.ts';
import { FieldReportPanel } from './field-report-panel.tsx';
import { checkDevices } from './reachability.ts';
import { usePairedDevices } from './use-paired-devices.ts';
import './devices.css';

const COMPACT_FROM = 4;

export function DevicesView() {
  const paired = usePairedDevices();
  const route = useRoute();
  const checked = useRef(false);
  useEffect(() => {
    if (paired.state !== 'ready' || checked.current) return;
    checked.current = true;
    checkDevices(paired.devices);
    resumeInterruptedUpdates(paired.devices);
  }, [paired]);
  useEffect(() => {
    // The pairing code arrived in the address (a label's app link): it goes into the form, not the history.
    if (route.pairingLink) history.replaceState(null, '', '#/devices');
  }, [route.pairingLink]);
  const link = route.pairingLink;
  const initialLink = link?.startsWith('#') ? `${location.origin}${location.pathname}${link}` : link;
  const devices = paired.state === 'ready' ? paired.devices : [];
  // From four devices on, cards go side by side with their facts folded, so a fleet fits on a screen or two.
  const many = devices.length >= COMPACT_FROM;
  return (
    <div class="devices">
      <section class="devices__list" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Devices</h2>
        {paired.state === 'loading' && <p>Reading the devices…</p>}
        {paired.state === 'failed' && (
          <div role="alert" class="alert">
            <p class="alert__title">The devices could not be read.</p>
            <p>{paired.message}</p>
            <p class="alert__hint">What to do: reload FieldFlash. If it keeps failing, this browser profile may be out of storage.</p>
          </div>
        )}
        {paired.state === 'ready' && devices.length === 0 && <p>No devices yet. Add one below with its address and pairing secret.</p>}
        {devices.length > 0 && <BulkUpdateBar devices={devices} />}
        <div class={many ? 'devices__cards devices__cards--many' : 'devices__cards'}>
          {devices.map((device) => (
            <DeviceCard key={device.id} device={device} compact={many} />
          ))}
        </div>
      </section>
      <AddDevicePanel paired={devices} initialLink={initialLink} initialBoard={route.board} />
      <CompatDevicesSection />
      <FieldReportPanel />
    </div>
  );
}
