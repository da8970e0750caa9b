// Pairing-password authentication (docs/protocol.md §3): challenge, proof, and the device's proof back.
// The password never leaves this module; only HMACs computed from its PBKDF2 key do. A client that paired before
// logs in with the key it kept instead (a non-extractable CryptoKey), and then never holds the secret at all.

import { clientProof, derivePairingCryptoKey, deviceProof, randomBase64, sameProof, sessionKey } from './crypto.ts';
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

/** A login's credentials and the device's key derivation parameters, from its challenge (see PairingKeys.kept). */
export interface Login extends Credentials {
  salt: string;
  iterations: number;
}

/** Where a login's pairing key comes from, for the salt and iteration count the device's challenge names. */
export interface PairingKeySource {
  key(salt: string, iterations: number): Promise<CryptoKey>;
}

/** A pairing key kept from an earlier login, with the parameters it was derived with. Holds no secret. */
export interface KeptPairingKey {
  /** Non-extractable HMAC-SHA-256 key. */
  key: CryptoKey;
  salt: string;
  iterations: number;
}

/** The device's salt or iteration count is not the kept key's: its pairing secret was set again since. */
export class PairingChanged extends Error {
  constructor() {
    super("The device's pairing secret has changed since this key was kept (it now derives keys with another salt). Enter its new pairing secret.");
    this.name = 'PairingChanged';
  }
}

/** Logs in with a kept key; never derives one from a salt the device offers now. */
export class KeptKeySource implements PairingKeySource {
  constructor(private readonly kept: KeptPairingKey) {}

  async key(salt: string, iterations: number): Promise<CryptoKey> {
    if (salt !== this.kept.salt || iterations !== this.kept.iterations) throw new PairingChanged();
    return this.kept.key;
  }
}

/**
 * Derives the key from the secret as typed, once per salt and iteration count, so re-authenticating does not redo
 * PBKDF2. The key is a non-extractable CryptoKey; `kept()` hands it out for a client to store instead of the secret.
 */
export class PairingKeys implements PairingKeySource {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  private readonly password: string;

  /** `secret` is the pairing code or password as typed; a code is read in any case, with or without dashes. */
  constructor(secret: string) {
    this.password = normalizePairingSecret(secret);
  }

  key(salt: string, iterations: number): Promise<CryptoKey> {
    const id = `${iterations}:${salt}`;
    let key = this.keys.get(id);
    if (!key) {
      key = derivePairingCryptoKey(this.password, salt, iterations);
      this.keys.set(id, key);
    }
    return key;
  }

  /** The key a login with these credentials used, to keep in place of the secret. */
  async kept(credentials: Pick<Login, 'salt' | 'iterations'>): Promise<KeptPairingKey> {
    return { key: await this.key(credentials.salt, credentials.iterations), salt: credentials.salt, iterations: credentials.iterations };
  }
}

export async function authenticate(transport: Transport, keys: PairingKeySource, clientId: string): Promise<Login> {
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
    salt: challenge.salt,
    iterations: challenge.kdf.iterations,
  };
}
