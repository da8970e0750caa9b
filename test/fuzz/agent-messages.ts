// Mutated protocol messages and chunk sequences, as fast-check arbitraries (docs/protocol.md): offers with wrong
// types, out-of-range values and huge strings, bodies that are not JSON, chunks at wrong offsets (overlaps, gaps,
// past the end), oversize or empty, with wrong or malformed digests, requests without or with a broken login, and
// replays of signed requests. A case is a short sequence of steps, most of them well-formed, so that the broken
// one arrives with a valid session behind it and reaches the device's deep checks.
import fc from 'fast-check';

/** Which image a step is about: 0 and 1 are true images, 2 sends other bytes than its offer's SHA-256 names,
 * 3 is larger than the device takes, 4 is a source-tree payload with unsafe records. */
export const IMAGES = 5;

export type AuthVariant = 'signed' | 'none' | 'bad-mac' | 'other-client' | 'garbage' | 'unknown-session' | 'body-digest-lies' | 'other-login';

export type OfferEdit =
  | { how: 'valid' }
  | { how: 'set'; field: string; value: unknown }
  | { how: 'delete'; field: string }
  | { how: 'body'; body: 'bad-json' | 'empty' | 'array' | 'string' | 'deep' | 'huge' | 'null' | 'binary' };

export type Step =
  | { kind: 'offer'; image: number; edit: OfferEdit; auth: AuthVariant; contentType: string }
  | {
      kind: 'chunk';
      image: number;
      at: 'next' | 'next' | 'zero' | 'gap' | 'overlap' | 'beyond' | 'window-end' | 'window-past' | 'text';
      offsetText: string;
      length: 'chunk' | 'oversize' | 'empty' | 'past-end' | 'small';
      small: number;
      digest: 'right' | 'wrong' | 'malformed' | 'missing' | 'sha512-only' | 'members' | 'spaced' | 'hex';
      target: 'right' | 'unknown-sha' | 'upper-sha' | 'short-sha' | 'no-query' | 'two-offsets';
      auth: AuthVariant;
    }
  | { kind: 'get' | 'delete'; image: number; auth: AuthVariant }
  | { kind: 'commit'; image: number; body: 'empty' | '{}' | 'junk' | 'array'; auth: AuthVariant }
  | { kind: 'replay' }
  | { kind: 'raw'; variant: 'unknown-path' | 'wrong-method' | 'protocol-2' | 'protocol-junk' | 'tree' | 'reboot-schedule-bad' | 'delete-schedule' | 'webrtc-junk' }
  | { kind: 'auth'; variant: 'challenge-junk' | 'response-unknown' | 'response-bad-proof' | 'response-junk' | 'challenge-huge-id'; value: unknown };

const weird = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 33 }),
  fc.constantFrom(-1, 0, 0.5, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -0, 1e-7),
  fc.string({ maxLength: 24 }),
  fc.constantFrom('', 'ESP32', 'esp32', 'ESP32-S3', 'devkitc-v4', 'DEVKITC-V4', '1.0', 'demo-sensor', '1.2.3', 'v1.3.0', '1.3', '01.2.3', '1.3.0-rc.1',
    '9007199254740993.0.0', '1.0.0+build', 'x'.repeat(300), 'a'.repeat(70_000), '../../etc', 'firmware', 'source-tree', 'tree', '0'.repeat(64), 'A'.repeat(64)),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constantFrom([{ slot: 'a', sha256: '0'.repeat(64), size: 10 }], [{ slot: 'b' }], [], [{ slot: 'z', sha256: 'x', size: -1 }], { name: 'micropython', minVersion: 'x' }, { name: 'lua' }),
);

const OFFER_FIELDS = ['sha256', 'size', 'version', 'product', 'sequence', 'securityVersion', 'chipFamily', 'board', 'hardwareRevision', 'force', 'images', 'kind', 'runtime', 'unknownField'];

const offerEdit: fc.Arbitrary<OfferEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ how: 'valid' as const }) },
  { weight: 6, arbitrary: fc.record({ how: fc.constant('set' as const), field: fc.constantFrom(...OFFER_FIELDS), value: weird }) },
  { weight: 2, arbitrary: fc.record({ how: fc.constant('delete' as const), field: fc.constantFrom(...OFFER_FIELDS) }) },
  { weight: 2, arbitrary: fc.record({ how: fc.constant('body' as const), body: fc.constantFrom('bad-json' as const, 'empty' as const, 'array' as const, 'string' as const, 'deep' as const, 'huge' as const, 'null' as const, 'binary' as const) }) },
);

const auth: fc.Arbitrary<AuthVariant> = fc.oneof(
  { weight: 14, arbitrary: fc.constant('signed' as const) },
  { weight: 1, arbitrary: fc.constantFrom('none' as const, 'bad-mac' as const, 'other-client' as const, 'garbage' as const, 'unknown-session' as const, 'body-digest-lies' as const, 'other-login' as const) },
);

const image = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constantFrom(3, 4) });

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      image,
      edit: offerEdit,
      auth,
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/octet-stream', ''),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('chunk' as const),
      image,
      at: fc.oneof({ weight: 8, arbitrary: fc.constant('next' as const) }, { weight: 1, arbitrary: fc.constantFrom('zero' as const, 'gap' as const, 'overlap' as const, 'beyond' as const, 'window-end' as const, 'window-past' as const, 'text' as const) }),
      offsetText: fc.constantFrom('-1', '0x10', '1e3', '', '00', '01', '9'.repeat(16), '1.5', ' 1', '+1', 'NaN', '%30', '１'),
      length: fc.oneof({ weight: 6, arbitrary: fc.constant('chunk' as const) }, { weight: 1, arbitrary: fc.constantFrom('oversize' as const, 'empty' as const, 'past-end' as const, 'small' as const) }),
      small: fc.integer({ min: 1, max: 300 }),
      digest: fc.oneof({ weight: 8, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'malformed' as const, 'missing' as const, 'sha512-only' as const, 'members' as const, 'spaced' as const, 'hex' as const) }),
      target: fc.oneof({ weight: 10, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('unknown-sha' as const, 'upper-sha' as const, 'short-sha' as const, 'no-query' as const, 'two-offsets' as const) }),
      auth,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('get' as const, 'delete' as const), image, auth }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), image, body: fc.constantFrom('empty' as const, '{}' as const, '{}' as const, 'junk' as const, 'array' as const), auth }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      variant: fc.constantFrom('unknown-path' as const, 'wrong-method' as const, 'protocol-2' as const, 'protocol-junk' as const, 'tree' as const, 'reboot-schedule-bad' as const, 'delete-schedule' as const, 'webrtc-junk' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('auth' as const),
      variant: fc.constantFrom('challenge-junk' as const, 'response-unknown' as const, 'response-bad-proof' as const, 'response-junk' as const, 'challenge-huge-id' as const),
      value: weird,
    }),
  },
);

export interface AgentCase {
  /** Offer the image well first, and send its first chunks well, so that the broken steps meet a live session. */
  warmUp: number;
  warmImage: number;
  steps: Step[];
}

export const agentCase: fc.Arbitrary<AgentCase> = fc.record({
  warmUp: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  warmImage: image,
  steps: fc.array(step, { minLength: 1, maxLength: 5 }),
});
