// The device document (docs/protocol.md §2): who the device is, what it runs, what it can do, its slots, and the
// outcome of its last update. The client reads it first, and again to learn the device's verdict.

import { defined, Fields, intItem, MessageError, stringItem } from './fields.ts';
import { parseScheduledReboot, type ScheduledReboot } from './reboot-schedule-messages.ts';
import { MAX_SECURITY_VERSION, MAX_SEQUENCE } from './update-messages.ts';

export const SLOT_STATES = ['active', 'pending', 'confirmed', 'empty'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export const UPDATE_OUTCOMES = ['pending', 'confirmed', 'rolled-back'] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];

export const CAPABILITIES = ['http', 'webrtc', 'resume', 'pipeline', 'slot-images', 'scheduled-reboot', 'source-tree', 'signed-releases'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * Where a counter of the running image came from: read from the image itself (an ESP app descriptor's
 * secure_version), claimed by the client's offer, set when the device was made (its factory image), or read from
 * the release manifest whose signature the device verified (§4.9).
 */
export const COUNTER_SOURCES = ['image', 'offer', 'factory', 'signed-manifest'] as const;
export type CounterSource = (typeof COUNTER_SOURCES)[number];

export interface CounterSources {
  sequence: CounterSource;
  securityVersion: CounterSource;
}

export interface Slot {
  name: string;
  state: SlotState;
  /** Present unless the slot is empty. */
  version?: string;
  sha256?: string;
  size?: number;
}

export interface LastUpdate {
  sha256: string;
  version: string;
  outcome: UpdateOutcome;
  /** Why an update was rolled back, in words for people. */
  reason?: string;
}

/** The interpreter the device's application runs on (a MicroPython agent reports `micropython`); absent for firmware images. */
export interface DeviceRuntime {
  name: string;
  version: string;
}

export interface DeviceDocument {
  id: string;
  product: string;
  chipFamily: string;
  board: string;
  hardwareRevision: string;
  version: string;
  sequence: number;
  securityVersion: number;
  /** Where `sequence` and `securityVersion` came from; optional, devices of the first edition do not say. */
  counterSources?: CounterSources;
  agentVersion: string;
  protocol: { versions: number[] };
  /** Known values are in CAPABILITIES; unknown ones are kept and ignored. */
  capabilities: string[];
  maxImageSize: number;
  chunk: { size: number; window: number };
  /** How many HTTP connections (so HTTP requests in flight) one client may have open at once. */
  maxConnections: number;
  slots: Slot[];
  lastUpdate?: LastUpdate;
  /** Present while a reboot into the pending image is scheduled (§5.1, capability `scheduled-reboot`). */
  scheduledReboot?: ScheduledReboot;
  /** Present on a device whose application is a source tree run by an interpreter (§2). */
  runtime?: DeviceRuntime;
  /** With `signed-releases` (§4.9): the ids of the publisher keys the device trusts (public ids only). */
  trust?: { keyIds: string[] };
}

const KEY_ID = /^[0-9a-f]{16}$/;

function keyIdItem(value: unknown, path: string): string {
  if (typeof value !== 'string' || !KEY_ID.test(value)) throw new MessageError(path, 'expected a key id of 16 lower-case hex digits');
  return value;
}

function slot(value: unknown, path: string): Slot {
  const f = new Fields(value, path);
  const state = f.oneOf('state', SLOT_STATES);
  const filled = state !== 'empty';
  return defined({
    name: f.string('name', { maxLength: 32 }),
    state,
    version: filled || f.has('version') ? f.semver('version') : undefined,
    sha256: filled || f.has('sha256') ? f.sha256('sha256') : undefined,
    size: filled || f.has('size') ? f.int('size') : undefined,
  });
}

function lastUpdate(f: Fields): LastUpdate {
  const outcome = f.oneOf('outcome', UPDATE_OUTCOMES);
  return defined({
    sha256: f.sha256('sha256'),
    version: f.semver('version'),
    outcome,
    // A rollback always says why (docs/protocol.md §2).
    reason: outcome === 'rolled-back' || f.has('reason') ? f.string('reason', { minLength: 0 }) : undefined,
  });
}

/** A device id is also its Private-Network-Access-Name (§7.2), so it keeps to that header's characters. */
export const DEVICE_ID = /^[a-z0-9_.-]{1,128}$/;

export function parseDeviceDocument(json: unknown): DeviceDocument {
  const f = new Fields(json, 'DeviceDocument');
  const protocol = f.object('protocol');
  const chunk = f.object('chunk');
  const doc: DeviceDocument = {
    id: f.string('id', { pattern: DEVICE_ID, what: '1 to 128 characters of a-z 0-9 _ . -' }),
    product: f.string('product'),
    chipFamily: f.string('chipFamily'),
    board: f.string('board'),
    hardwareRevision: f.string('hardwareRevision'),
    version: f.semver('version'),
    sequence: f.int('sequence', 0, MAX_SEQUENCE),
    securityVersion: f.int('securityVersion', 0, MAX_SECURITY_VERSION),
    agentVersion: f.string('agentVersion'),
    protocol: { versions: protocol.array('versions', intItem, 1) },
    capabilities: f.array('capabilities', stringItem),
    maxImageSize: f.int('maxImageSize', 1),
    chunk: { size: chunk.int('size', 1), window: chunk.int('window', 1) },
    maxConnections: f.int('maxConnections', 1),
    slots: f.array('slots', slot, 1),
  };
  if (f.has('counterSources')) {
    const sources = f.object('counterSources');
    doc.counterSources = { sequence: sources.oneOf('sequence', COUNTER_SOURCES), securityVersion: sources.oneOf('securityVersion', COUNTER_SOURCES) };
  }
  if (f.has('lastUpdate')) doc.lastUpdate = lastUpdate(f.object('lastUpdate'));
  if (f.has('runtime')) {
    const runtime = f.object('runtime');
    doc.runtime = { name: runtime.string('name', { maxLength: 32 }), version: runtime.string('version', { maxLength: 64 }) };
  }
  if (f.has('trust')) doc.trust = { keyIds: f.object('trust').array('keyIds', keyIdItem) };
  if (f.has('scheduledReboot')) doc.scheduledReboot = parseScheduledReboot(f.raw('scheduledReboot'), 'DeviceDocument.scheduledReboot');
  return doc;
}
