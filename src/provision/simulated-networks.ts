// The simulated board's Wi-Fi world as a technician types it: one network a line, "name, password, signal dBm".
import type { SimulatedNetwork } from '@fieldflash/esp-emulator';

export function formatNetworks(networks: readonly SimulatedNetwork[]): string {
  return networks.map((n) => `${n.ssid}, ${n.password ?? ''}, ${n.rssi}`).join('\n');
}

/** Parses the lines; throws an Error naming the line that is wrong. An empty password means an open network. */
export function parseNetworks(text: string): SimulatedNetwork[] {
  const networks: SimulatedNetwork[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(',').map((f) => f.trim());
    const [ssid = '', password = '', rssiText = '-60'] = fields;
    if (fields.length > 3) throw new Error(`Line ${i + 1}: write "name, password, signal" (a name or password with a comma cannot be typed here).`);
    if (ssid === '') throw new Error(`Line ${i + 1}: the network has no name.`);
    const rssi = Number(rssiText);
    if (!Number.isInteger(rssi)) throw new Error(`Line ${i + 1}: the signal "${rssiText}" is not a whole number of dBm, like -60.`);
    networks.push(password === '' ? { ssid, rssi } : { ssid, rssi, password });
  });
  if (networks.length === 0) throw new Error('List at least one network.');
  return networks;
}
