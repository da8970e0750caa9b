// What went wrong while setting up Wi-Fi, in a technician's words, with what to do next.
// improv-wifi-serial-sdk rejects with the Improv error's name ("UNABLE_TO_CONNECT", "TIMEOUT", ...).

export type ProvisioningProblemCode = 'unable-to-connect' | 'not-understood' | 'not-supported' | 'no-answer' | 'device-error';

export class ProvisioningProblem extends Error {
  constructor(
    readonly code: ProvisioningProblemCode,
    message: string,
    readonly nextStep: string,
  ) {
    super(message);
    this.name = 'ProvisioningProblem';
  }
}

export function explainImprovError(error: unknown, action: 'scan' | 'provision', ssid = ''): ProvisioningProblem {
  const name = typeof error === 'string' ? error : error instanceof Error ? error.message : String(error);
  const network = ssid ? `"${ssid}"` : 'the network';
  switch (name) {
    case 'UNABLE_TO_CONNECT':
      return new ProvisioningProblem(
        'unable-to-connect',
        `The device could not connect to ${network}: the password may be wrong, or the network is out of its reach.`,
        'Check the password (capitals count) and that the device is within range of the access point, then connect again.',
      );
    case 'INVALID_RPC_PACKET':
      return new ProvisioningProblem(
        'not-understood',
        'The device did not understand what FieldFlash sent.',
        'Try again. If it keeps happening, press "Reset board" and set up Wi-Fi once the device has started.',
      );
    case 'UNKNOWN_RPC_COMMAND':
      return new ProvisioningProblem(
        'not-supported',
        action === 'scan' ? 'The device cannot list the networks it sees.' : 'The device does not accept Wi-Fi settings over USB.',
        action === 'scan' ? 'Type the network name instead.' : "Set up Wi-Fi the way the firmware's documentation describes.",
      );
    case 'TIMEOUT':
      return new ProvisioningProblem(
        'no-answer',
        action === 'scan' ? 'The device stopped answering while scanning for networks.' : `The device stopped answering while connecting to ${network}.`,
        'Look at the serial console for what it printed, press "Reset board", then try again.',
      );
    default:
      return new ProvisioningProblem(
        'device-error',
        `The device reported an error (${name}).`,
        'Press "Reset board" and try again; the serial console may show what went wrong.',
      );
  }
}
