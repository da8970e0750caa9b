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
  /** The pairing code or password; absent, the key stored in `dir` (a device paired before). */
  password?: string;
  host: string;
  /** Names the device answers to besides IP literals, localhost and `<id>.local` (DNS rebinding, §7.3). */
  hostNames: string[];
  /** WebRTC peer connections at most (§10). */
  maxPeers: number;
  /** 0 picks a free port. */
  port: number;
  /** The factory image's version, sequence and security version, used when `dir` is new. */
  version: string;
  sequence: number;
  securityVersion: number;
  healthCheck?: string;
  installHook?: string;
  compat: boolean;
  /** The HTTP Basic user name of the compatibility endpoints; the password is the pairing secret. */
  compatUser: string;
  /**
   * Web origins (e.g. https://fieldflash.example) whose pages may use the compatibility endpoints: their preflights
   * are answered and their replies carry CORS headers. Any other page's request is refused (§7.4).
   */
  compatOrigins: string[];
  testHooks: boolean;
  /**
   * A folder of publisher public keys (*.pub.json, *.pem): when set, the device installs only releases whose
   * manifest one of them signed, and takes product, version and counters from that manifest (§4.9).
   */
  trustedKeys?: string;
  webrtc: boolean;
  /** How long a login lasts, and how long a challenge may wait for its answer. */
  sessionTtlSeconds: number;
  challengeTtlSeconds: number;
  maxImageSize: number;
  chunkSize: number;
  window: number;
  /**
   * Whether the rest of an image may come in one request without Content-Digest (§4.6). Off, the agent reads such a
   * request as a chunk and refuses it (413 above chunkSize, else 400), as a device that takes chunks only does.
   */
  singleRequest: boolean;
  /**
   * HTTP connections the device serves at once, announced in the device document so a client keeps within it (§1.3);
   * at the cap the longest-idle connection is closed for a new one, so idle strangers never lock the owner out (§10).
   */
  maxConnections: number;
  /** An update session that receives nothing for this long loses its hold on the device (the partial stays). */
  idleTimeoutMs: number;
  /** An update session older than this loses its hold on the device, however busy it is. */
  totalTimeoutMs: number;
  /** A JSON body (at most 64 KiB) must arrive within this, however steadily it trickles (§10). */
  jsonDeadlineMs: number;
  /** How long a reboot keeps the device off the network. */
  rebootMs: number;
  log: (line: string) => void;
}

export const AGENT_VERSION = '0.1.0';

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8070,
  hostNames: [] as string[],
  // A technician's app and a push from a laptop, with room for a reconnect while an old peer is still closing.
  maxPeers: 4,
  product: 'demo-sensor',
  chipFamily: 'ESP32',
  board: 'devkitc-v4',
  hardwareRevision: '1.0',
  version: '1.0.0',
  sequence: 1,
  // 0, so releases that carry no security version (most foreign formats) are accepted until one raises it.
  securityVersion: 0,
  compat: false,
  compatUser: 'admin',
  compatOrigins: [] as string[],
  testHooks: false,
  webrtc: true,
  sessionTtlSeconds: 300,
  challengeTtlSeconds: 30,
  maxImageSize: 16 * 1024 * 1024,
  // Large enough that per-request costs vanish over HTTP (64 KiB chunks reach a third of one streamed PUT), small
  // enough that a chunk and its frame header fit one data-channel message (256 KiB in Chrome).
  chunkSize: 240 * 1024,
  window: 4,
  singleRequest: true,
  // ESP-IDF's HTTP server serves 7 sockets by default; the reference agent announces a little more than its window
  // needs (4 chunks in flight and a control request).
  maxConnections: 8,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 15 * 60_000,
  jsonDeadlineMs: 10_000,
  rebootMs: 300,
} satisfies Partial<AgentConfig>;

export function agentConfig(values: Partial<AgentConfig> & { dir: string }): AgentConfig {
  return { ...DEFAULTS, log: (line) => process.stdout.write(`${line}\n`), ...values };
}
