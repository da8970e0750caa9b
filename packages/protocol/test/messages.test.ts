// Typed parsing of network messages: what a device or client says is read once, and a wrong field is named with
// the value found, so a firmware team sees at once what to fix.
import { describe, expect, it } from 'vitest';
import { MessageError, parseDeviceDocument, parseErrorBody, parseUpdateOffer, parseUpdateSession } from '../src/index.ts';

const sha = 'ab'.repeat(32);
const device = {
  id: 'ff-1', product: 'demo-sensor', chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '1.0', version: '1.2.0',
  sequence: 3, securityVersion: 1, agentVersion: '0.1.0', protocol: { versions: [1] }, capabilities: ['http', 'future-thing'],
  maxImageSize: 1 << 24, chunk: { size: 65536, window: 8 }, maxConnections: 7,
  slots: [{ name: 'a', state: 'active', version: '1.2.0', sha256: sha, size: 10 }, { name: 'b', state: 'empty' }],
};

function messageError(read: () => unknown): MessageError {
  try {
    read();
  } catch (err) {
    if (err instanceof MessageError) return err;
    throw err;
  }
  throw new Error('expected a MessageError');
}

describe('message parsers', () => {
  it('read a device document, keeping unknown capabilities and ignoring unknown fields', () => {
    const doc = parseDeviceDocument({ ...device, vendorExtra: { x: 1 } });
    expect(doc.capabilities).toEqual(['http', 'future-thing']);
    expect(doc).not.toHaveProperty('vendorExtra');
    expect(doc.slots[1]).toEqual({ name: 'b', state: 'empty' });
  });

  it('name the field and the value when a device document is wrong', () => {
    const badState = messageError(() => parseDeviceDocument({ ...device, slots: [device.slots[0], { name: 'b', state: 'booting' }] }));
    expect(badState.field).toBe('DeviceDocument.slots[1].state');
    expect(badState.message).toBe('DeviceDocument.slots[1].state: expected one of active, pending, confirmed, empty, got "booting"');
    const noDigest = messageError(() => parseDeviceDocument({ ...device, slots: [{ name: 'a', state: 'active', version: '1.2.0', size: 1 }] }));
    expect(noDigest.message).toBe('DeviceDocument.slots[0].sha256: expected a string, got nothing');
    expect(messageError(() => parseDeviceDocument({ ...device, version: '1.2' })).message).toBe('DeviceDocument.version: expected a SemVer 2.0 version such as 1.3.0, got "1.2"');
    expect(messageError(() => parseDeviceDocument({ ...device, chunk: { size: 0, window: 8 } })).field).toBe('DeviceDocument.chunk.size');
    expect(messageError(() => parseDeviceDocument('nope')).message).toBe('DeviceDocument: expected an object, got "nope"');
  });

  it('hold a device document to the second edition: id characters, maxConnections, a reason for every rollback', () => {
    expect(parseDeviceDocument(device).maxConnections).toBe(7);
    expect(messageError(() => parseDeviceDocument({ ...device, maxConnections: 0 })).field).toBe('DeviceDocument.maxConnections');
    // The id is also the Private-Network-Access-Name: a MAC with colons or capitals is not one.
    expect(messageError(() => parseDeviceDocument({ ...device, id: '24:A1:60:F3:C2:E8' })).field).toBe('DeviceDocument.id');
    const rolledBack = { sha256: sha, version: '1.3.0', outcome: 'rolled-back' };
    expect(messageError(() => parseDeviceDocument({ ...device, lastUpdate: rolledBack })).field).toBe('DeviceDocument.lastUpdate.reason');
    expect(parseDeviceDocument({ ...device, lastUpdate: { ...rolledBack, reason: 'health check exited with 3' } }).lastUpdate?.reason).toBe('health check exited with 3');
    expect(parseDeviceDocument({ ...device, lastUpdate: { ...rolledBack, outcome: 'confirmed' } }).lastUpdate).not.toHaveProperty('reason');
  });

  it('read offers with and without slot images, and refuse a session whose offset lies past its size', () => {
    expect(parseUpdateOffer({ sha256: sha, size: 5, version: '1.3.0', chipFamily: 'ESP32', force: true })).toEqual({ sha256: sha, size: 5, version: '1.3.0', chipFamily: 'ESP32', force: true });
    expect(messageError(() => parseUpdateOffer({ sha256: sha, size: 5, version: '1.3.0', chipFamily: 'ESP32', images: [] })).message).toBe('UpdateOffer.images: expected at least 1 entries, got 0');
    expect(messageError(() => parseUpdateOffer({ sha256: sha.toUpperCase(), size: 5, version: '1.3.0', chipFamily: 'ESP32' })).field).toBe('UpdateOffer.sha256');
    const session = { sha256: sha, size: 100, slot: 'b', offset: 101, chunkSize: 10, window: 2, state: 'receiving' };
    expect(messageError(() => parseUpdateSession(session)).message).toBe('UpdateSession.offset: expected an integer from 0 to 100, got 101');
  });

  it('keep the details of a refusal next to its code', () => {
    const body = parseErrorBody({ error: { code: 'offset-mismatch', message: 'Continue at 65536.', offset: 65536, device: 'x' } });
    expect(body.error).toEqual({ code: 'offset-mismatch', message: 'Continue at 65536.', offset: 65536, device: 'x' });
    expect(messageError(() => parseErrorBody({ error: { code: 'busy' } })).field).toBe('ErrorBody.error.message');
    const counters = parseErrorBody({ error: { code: 'sequence-too-low', message: 'No going back.', device: 13, image: 12 } });
    expect(counters.error).toMatchObject({ device: 13, image: 12 });
    expect(messageError(() => parseErrorBody({ error: { code: 'too-large', message: 'Too big.', maxImageSize: '16 MiB' } })).field).toBe('ErrorBody.error.maxImageSize');
    expect(messageError(() => parseErrorBody({ error: { code: 'digest-mismatch', message: 'Wrong.', actual: 'abc' } })).field).toBe('ErrorBody.error.actual');
    expect(messageError(() => parseErrorBody({ error: { code: 'downgrade', message: 'Older.', device: null } })).field).toBe('ErrorBody.error.device');
  });
});
