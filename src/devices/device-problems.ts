// Why talking to a device failed, in a technician's words: what happened, and what to do next.
import { DeviceRefusal, LinkError, PairingChanged, UpdateError } from '@fieldflash/protocol';
import { StoreError } from '../store/index.ts';
import { AddressProblem } from './device-address.ts';

export type ProblemKind = 'no-answer' | 'not-fieldflash' | 'wrong-secret' | 'secret-changed' | 'refused' | 'failed';

export interface DeviceProblem {
  kind: ProblemKind;
  /** What happened. */
  message: string;
  /** What to do next. */
  hint: string;
}

/** Something answers at the address, but not as a FieldFlash device does (no protocol reply, or no CORS). */
export class NotFieldFlash extends Error {
  constructor(readonly url: string, detail: string) {
    super(`${url} answers, but not as a FieldFlash device: ${detail}`);
    this.name = 'NotFieldFlash';
  }
}

const CHECK_ADDRESS = 'Check the address and port: the FieldFlash agent listens on port 8070 unless it was told otherwise.';

/** `url` is the device's address as the person gave it. */
export function describeProblem(error: unknown, url: string): DeviceProblem {
  if (error instanceof AddressProblem) {
    return { kind: 'failed', message: error.message, hint: 'Enter the address the device reported, e.g. http://192.168.1.40:8070.' };
  }
  if (error instanceof NotFieldFlash) return { kind: 'not-fieldflash', message: `${error.message}.`, hint: CHECK_ADDRESS };
  if (error instanceof LinkError) {
    return {
      kind: 'no-answer',
      message: `No answer from ${url}.`,
      hint: 'Check that the device is powered and on the same network as this laptop, and that the address is right; then try again.',
    };
  }
  if (error instanceof PairingChanged) {
    return { kind: 'secret-changed', message: error.message, hint: 'Add the device again with its new pairing secret; it keeps its place in the list.' };
  }
  if (error instanceof DeviceRefusal) return describeRefusal(error, url);
  if (error instanceof UpdateError) return { kind: 'failed', message: error.message, hint: 'Nothing was changed on the device that it did not confirm itself.' };
  if (error instanceof StoreError) return { kind: 'failed', message: error.message, hint: error.hint };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', message: `Talking to ${url} failed: ${detail}`, hint: 'Try again; if it keeps failing, reload FieldFlash.' };
}

function describeRefusal(refusal: DeviceRefusal, url: string): DeviceProblem {
  switch (refusal.code) {
    case 'bad-proof':
      return {
        kind: 'wrong-secret',
        message: `The pairing secret is wrong: the device at ${url} did not accept it.`,
        hint: "Check the pairing code on the device's label or console (16 letters and digits in four groups, any case) and enter it again.",
      };
    case 'rate-limited': {
      const wait = refusal.details.retryAfterSeconds;
      return {
        kind: 'wrong-secret',
        message: `The device at ${url} refuses logins for now: too many wrong secrets were tried.`,
        hint: wait === undefined ? 'Wait a minute, then enter the secret again.' : `Wait ${wait} s, then enter the secret again.`,
      };
    }
    case 'bad-device-proof':
      return { kind: 'refused', message: refusal.message, hint: CHECK_ADDRESS };
    case 'bad-reply':
      return { kind: 'not-fieldflash', message: `${url} answers, but not as a FieldFlash device: ${refusal.message}`, hint: CHECK_ADDRESS };
    default:
      return { kind: 'refused', message: `The device at ${url} refused (${refusal.code}): ${refusal.message}`, hint: 'Nothing was changed on the device.' };
  }
}
