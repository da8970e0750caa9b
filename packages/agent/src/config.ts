// What a device is and the limits it keeps; the command line fills it, tests build it directly.
export interface DeviceIdentity {
  product: string;
  chipFamily: string;
  board: string;
  hardwareRevision: string;
}

export interface AgentConfig extends DeviceIdentity {
  /** Where the device keeps its slots, journal, partial uploads and pairing key. */
  dir: string;
  password: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The factory image's version, sequence and security version, used when `dir` is new. */
  version: string;
  sequence: number;
  securityVersion: number;
  healthCheck?: string;
  installHook?: string;
  compat: boolean;
  testHooks: boolean;
  webrtc: boolean;
  tokenTtlSeconds: number;
  maxImageSize: number;
  chunkSize: number;
  window: number;
  /** How many HTTP connections one client may have open at once, announced in the device document. */
  maxConnections: number;
  /** An update session that receives nothing for this long loses its hold on the device (the partial stays). */
  idleTimeoutMs: number;
  /** An update session older than this loses its hold on the device, however busy it is. */
  totalTimeoutMs: number;
  /** How long a reboot keeps the device off the network. */
  rebootMs: number;
  log: (line: string) => void;
}

export const AGENT_VERSION = '0.1.0';

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8070,
  product: 'demo-sensor',
  chipFamily: 'ESP32',
  board: 'devkitc-v4',
  hardwareRevision: '1.0',
  version: '1.0.0',
  sequence: 1,
  // 0, so releases that carry no security version (most foreign formats) are accepted until one raises it.
  securityVersion: 0,
  compat: false,
  testHooks: false,
  webrtc: true,
  tokenTtlSeconds: 300,
  maxImageSize: 16 * 1024 * 1024,
  // Large enough that per-request costs vanish over HTTP (64 KiB chunks reach a third of one streamed PUT), small
  // enough that a chunk and its frame header fit one data-channel message (256 KiB in Chrome).
  chunkSize: 240 * 1024,
  window: 4,
  // ESP-IDF's HTTP server serves 7 sockets by default; the reference agent announces a little more than its window
  // needs (4 chunks in flight and a control request).
  maxConnections: 8,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 15 * 60_000,
  rebootMs: 300,
} satisfies Partial<AgentConfig>;

export function agentConfig(values: Partial<AgentConfig> & { dir: string; password: string }): AgentConfig {
  return { ...DEFAULTS, log: (line) => process.stdout.write(`${line}\n`), ...values };
}
