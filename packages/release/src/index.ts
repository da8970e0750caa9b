// The release tool's verbs, and what scripts reuse: packing a spec into a release zip, and publisher key files.
import { inspect } from './inspect.ts';
import { keygen } from './keygen.ts';
import { pack } from './pack.ts';
import { sign } from './sign.ts';
import { verify } from './verify.ts';
import type { Verb } from './verb.ts';

export const VERBS: readonly Verb[] = [keygen, pack, sign, inspect, verify];

export { packRelease, type PackedRelease } from './pack-release.ts';
export { keyPairPaths, readSigningKey, readPublicKey, readTrustedKeys, writeNewKeyPair, type KeyPairPaths } from './key-files.ts';
export { signatureText } from './signature-text.ts';
