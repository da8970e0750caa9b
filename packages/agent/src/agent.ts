// Wires a device together: stores, authentication, update sessions, boot, and the HTTP and WebRTC transports.
import { mkdirSync } from 'node:fs';
import { Authenticator, loadPairingKey } from './auth.ts';
import { BootController } from './boot.ts';
import { startCompat } from './compat.ts';
import { type AgentConfig, agentConfig } from './config.ts';
import { Device } from './device.ts';
import { Dispatcher } from './dispatcher.ts';
import { startHttp } from './http-server.ts';
import { UpdateSessions } from './update-sessions.ts';
import { WebRtcTransport } from './webrtc.ts';

export interface RunningAgent {
  url: string;
  port: number;
  device: Device;
  boot: BootController;
  /** HTTP connections open now, and the most that were open at once: what clients are held to (maxConnections). */
  connections(): { open: number; peak: number };
  close(): Promise<void>;
}

export async function startAgent(options: Partial<AgentConfig> & { dir: string }): Promise<RunningAgent> {
  const config = agentConfig({ port: 0, ...options });
  // Compatibility uploads carry no signature: a device that installs signed releases only cannot take them.
  if (config.trustedKeys !== undefined && config.compat) throw new Error('compatibility uploads (--compat) carry no signature, so a device with --trusted-keys cannot accept them');
  mkdirSync(config.dir, { recursive: true });
  const device = await Device.boot(config);
  const auth = new Authenticator(await loadPairingKey(config.dir, config.password), config);
  const sessions = new UpdateSessions(device);
  let webrtc: WebRtcTransport | null = null;
  const network = {
    down: async () => {
      webrtc?.closeAll();
      await http.down();
    },
    up: () => http.up(),
  };
  const boot = new BootController(device, sessions, auth, network);
  const dispatcher = new Dispatcher(device, auth, sessions, boot);
  const compat = config.compat ? startCompat(device, sessions, boot, auth) : undefined;
  const http = await startHttp(config, () => device.id, dispatcher, compat);
  if (config.webrtc) dispatcher.signaling = webrtc = new WebRtcTransport(config, dispatcher);
  boot.started();
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${http.port}`;
  return {
    url,
    port: http.port,
    device,
    boot,
    connections: () => http.connections(),
    async close() {
      boot.stop();
      await boot.settled();
      webrtc?.closeAll();
      await http.close();
      await device.uploads.closeAll();
    },
  };
}
