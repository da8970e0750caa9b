// Why talking to a device failed, in a technician's words: what happened, and what to do next.
import { DeviceRefusal, LinkError, PairingChanged, RequestBlocked, UpdateError } from '@fieldflash/protocol';
import { StoreError } from '../store/index.ts';
import { InstallRefused } from '../trust/install-check.ts';
import { AddressProblem } from './device-address.ts';
import { signatureRefusalHint } from './signature-refusals.ts';

export type ProblemKind = 'no-answer' | 'blocked' | 'not-fieldflash' | 'wrong-secret' | 'secret-changed' | 'refused' | 'failed';

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
  if (error instanceof RequestBlocked) return describeBlock(error, url);
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
  if (error instanceof StoreError || error instanceof InstallRefused) return { kind: 'failed', message: error.message, hint: error.hint };
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
      return { kind: 'refused', message: `The device at ${url} refused (${refusal.code}): ${refusal.message}`, hint: signatureRefusalHint(refusal) ?? 'Nothing was changed on the device.' };
  }
}

/** The browser kept the request in the page: which rule, and what the technician can change. */
function describeBlock(blocked: RequestBlocked, url: string): DeviceProblem {
  if (blocked.reason === 'local-network-permission') {
    const what = blocked.addressSpace === 'loopback' ? 'programs on this computer' : 'devices on the local network';
    return {
      kind: 'blocked',
      message: `The browser did not let FieldFlash reach ${url}: the permission to reach ${what} (Local Network Access) was refused for this site. Nothing was sent to the device.`,
      hint: 'Allow it in the site settings: click the icon left of the address bar, set Local network access to Allow, reload FieldFlash, then try again.',
    };
  }
  return {
    kind: 'blocked',
    message: `The browser blocked the request to ${url} as mixed content: FieldFlash is open over https and the device answers over plain http. Nothing was sent to the device.`,
    hint:
      blocked.addressSpace === undefined
        ? 'Add the device by its IP address (e.g. http://192.168.1.40:8070) or its .local name: FieldFlash then tells the browser the device is on the local network, and the browser lets the request through once local network access is allowed.'
        : 'This browser blocks plain http devices from an https page: use Chrome or Edge 141 or later, which let the page reach them once local network access is allowed.',
  };
}
