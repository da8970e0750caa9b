// Pairing-password authentication (docs/protocol.md §3): challenge, proof, and the device's proof back.
// The password never leaves this module; only HMACs computed from its PBKDF2 key do.

import { clientProof, deriveKey, deviceProof, randomBase64, sameProof, sessionKey } from './crypto.ts';
import { normalizePairingSecret } from './pairing-secret.ts';
import { RequestSigner } from './request-auth.ts';
import { DeviceRefusal } from './error-codes.ts';
import { parseAuthReply, parseChallenge } from './auth-messages.ts';
import { expectOk } from './replies.ts';
import type { Transport } from './transport.ts';

export interface Credentials {
  clientId: string;
  /** Names the login in each request; not a secret. */
  sessionId: string;
  /** Epoch milliseconds after which the device refuses the session. */
  expiresAt: number;
  /** Shared by client and device after authenticating, never sent; keys the request MACs and the WebRTC binding. */
  sessionKey: Uint8Array;
  /** Signs HTTP requests with the session key (docs/protocol.md §3.3). */
  signer: RequestSigner;
}

/** Remembers the derived key per salt and iteration count, so re-authenticating does not redo PBKDF2. */
export class PairingKeys {
  private readonly keys = new Map<string, Promise<Uint8Array>>();

  private readonly password: string;

  /** `secret` is the pairing code or password as typed; a code is read in any case, with or without dashes. */
  constructor(secret: string) {
    this.password = normalizePairingSecret(secret);
  }

  key(salt: string, iterations: number): Promise<Uint8Array> {
    const id = `${iterations}:${salt}`;
    let key = this.keys.get(id);
    if (!key) {
      key = deriveKey(this.password, salt, iterations);
      this.keys.set(id, key);
    }
    return key;
  }
}

export async function authenticate(transport: Transport, keys: PairingKeys, clientId: string): Promise<Credentials> {
  const challenge = expectOk(await transport.request('POST', '/auth/challenge', { clientId }), parseChallenge, 'the challenge request');
  const key = await keys.key(challenge.salt, challenge.kdf.iterations);
  const proofInput = { challengeId: challenge.challengeId, nonce: challenge.nonce, clientId, clientNonce: randomBase64(16) };
  const started = Date.now();
  const reply = expectOk(
    await transport.request('POST', '/auth/response', { ...proofInput, proof: await clientProof(key, proofInput) }),
    parseAuthReply,
    'the password proof',
  );
  if (!sameProof(reply.deviceProof, await deviceProof(key, proofInput))) {
    throw new DeviceRefusal(401, {
      code: 'bad-device-proof',
      message: 'The device accepted the password but could not prove it knows it too. It may not be the device you paired with; check its address.',
    });
  }
  const shared = await sessionKey(key, challenge.challengeId, proofInput.clientNonce);
  return {
    clientId,
    sessionId: reply.sessionId,
    expiresAt: started + reply.expiresIn * 1000,
    sessionKey: shared,
    signer: new RequestSigner(reply.sessionId, shared),
  };
}
