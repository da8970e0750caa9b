// The shapes of the records the store keeps, apart from the code that reads and writes them, so the schema
// (schema.ts) and every store module can name them without importing each other.
import type { SignatureAlgorithm } from '@fieldflash/bundle/trust';
import type { CompatKind, DeviceDocument, KeptPairingKey } from '@fieldflash/protocol';

export type LanTransport = 'http' | 'webrtc';

export interface PairedDevice {
  /** The id from the device document. */
  id: string;
  /** The device's base URL (its origin), e.g. http://192.168.1.40:8070. */
  url: string;
  /** Derived from the pairing secret at pairing; logs in without it. */
  pairingKey: KeptPairingKey;
  /** ms since the epoch. */
  pairedAt: number;
  /** The device document as last read. */
  document: DeviceDocument;
  /** When the device last answered, and over which transport. */
  lastSeen: { at: number; transport: LanTransport };
  /** The base MAC of the board it was added from, when it came from a Wi-Fi setup in the Flash view. */
  boardMac?: string;
  /** How updates reach it, as the technician chose; Automatic when unset (src/devices/transport-choice.ts). */
  transport?: LanTransport;
  /** A limit on its updates' sending speed in KiB/s, for a weak shared Wi-Fi; none when unset. */
  throttleKiBps?: number;
  /** Set while an update runs, so one cut short by a reload or a closed laptop is picked up again. */
  updateInProgress?: UpdateInProgress;
}

export interface UpdateInProgress {
  releaseId: string;
  /** "FieldFlash Demo 1.0.0". */
  releaseName: string;
  /** The technician confirmed sending an older version. */
  downgrade: boolean;
  startedAt: number;
  /** The device's last update when this one started ("<sha256> <outcome>"), to tell this one from it afterwards. */
  lastUpdateBefore?: string;
  /** Send now, apply later: when the technician wants the device to reboot into the image (ms since the epoch). */
  applyAt?: number;
  /** Set once the device has scheduled that reboot: what waiting for its verdict needs, after a reload too. */
  scheduled?: ScheduledInProgress;
}

export interface ScheduledInProgress {
  sha256: string;
  version: string;
  /** The slot the image waits in. */
  slot: string;
  /** When the device reboots into it, by this laptop's clock (ms since the epoch). */
  appliesAt: number;
  /** Bytes this page put on the wire to send it, for the field report. */
  sentBytes: number;
  /** The version the device ran when the image was committed, for the field report. */
  fromVersion: string;
}

export interface DeviceRecord {
  /** Base MAC as the ROM reports it, "24:0a:c4:12:34:56". */
  mac: string;
  /** esptool's chip name ("ESP32") and package ("ESP32-D0WD-V3"). */
  chipName: string;
  model: string;
  /** The release FieldFlash installed before provisioning ("FieldFlash Demo 1.0.0"). */
  release: string;
  /** What the running app says it is (Improv device info). */
  firmware: { name: string; version: string };
  /** The device's own name for itself. */
  deviceName: string;
  /** Where the device said it can be reached once on the network. */
  url: string;
  /** The network it joined (never its password); absent when it was on a network already. */
  ssid?: string;
  /** When it reported the URL (ms since the epoch). */
  provisionedAt: number;
  /** True for FieldFlash's simulated board. */
  simulated: boolean;
}

/** One part as written, with a digest of each 4 KiB sector of it (the first 16 bytes of its SHA-256). */
export interface WrittenPart {
  name: string;
  offset: number;
  size: number;
  sectorDigests: Uint8Array;
}

export interface WrittenRelease {
  releaseId: string;
  /** As the technician saw it: "LOGIBUS DualOut ESP32 esp-idf-v5.1 0.100". */
  label: string;
  /** When the write was verified (ms since the epoch). */
  writtenAt: number;
  parts: WrittenPart[];
}

export interface CompatDevice {
  /** `<kind>:<host>`, e.g. esphome:192.168.1.41: one record per system and address. */
  id: string;
  kind: CompatKind;
  /** The device's base URL (its origin). */
  url: string;
  /** The HTTP Basic user name; empty when its web server asks for none. Not a secret. */
  user: string;
  /** ms since the epoch. */
  addedAt: number;
  /** When it last answered, and the version it reported then, where it reports one. */
  lastSeen?: { at: number; version?: string };
}

/**
 * `new-version` and `unverified` end compatibility-mode pushes, which get no verdict from the device: it came back
 * reporting the new version, or it reports no version at all.
 */
export type ReportResult = 'confirmed' | 'rolled-back' | 'failed' | 'new-version' | 'unverified';

/** The FieldFlash protocol's transports, or the compatibility upload used (ESPHome, ElegantOTA). */
export type ReportTransport = LanTransport | CompatKind;

export interface FieldReportEntry {
  /** Generated here; the key of the object store. */
  id: string;
  /** The device id from its device document, and the address it was updated at. */
  deviceId: string;
  address: string;
  product: string;
  fromVersion: string;
  toVersion: string;
  transport: ReportTransport;
  /** Bytes put on the wire by this page, retransmissions included. */
  bytesSent: number;
  startedAt: number;
  endedAt: number;
  result: ReportResult;
  /** The health check's reason for a rollback, the problem for a failure. */
  reason?: string;
  /** True when the technician confirmed sending an older version. */
  downgradeConfirmed: boolean;
}

/** A trusted key as kept: the public key, when it was added, and when it was revoked. */
export interface StoredTrustedKey {
  keyId: string;
  algorithm: SignatureAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** SHA-256 of `spki`, lower-case hex. */
  fingerprint: string;
  name?: string;
  /** ms since the epoch. */
  addedAt: number;
  /** ms since the epoch; present once revoked. */
  revokedAt?: number;
}

/** A product whose unsigned releases may be installed, and since when. */
export interface UnsignedAllowance {
  product: string;
  /** ms since the epoch. */
  allowedAt: number;
}
