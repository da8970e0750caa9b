// What an image says about itself, where it can: an ESP app image names its chip in its header and its project
// and secure_version in its app descriptor. The device trusts these over a client's claims, because they are what
// the bootloader of a real device enforces. Images of other kinds (a .deb, random test bytes) say nothing here.
import { open } from 'node:fs/promises';
import { ESP_APP_HEADER_LENGTH, readEspAppHeader } from '@fieldflash/bundle';
import type { CounterSource } from '@fieldflash/protocol';
import type { Device } from './device.ts';
import { AgentRefusal } from './errors.ts';
import { checkSecurityVersion } from './offer-checks.ts';

export interface ImageFacts {
  /** The chip the image header names, or its raw chip id when FieldFlash does not know it. */
  chipFamily: string;
  /** The app descriptor's project name. */
  projectName: string;
  /** The app descriptor's version string, as the build wrote it (not necessarily SemVer). */
  version: string;
  secureVersion: number;
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Reads the facts of an ESP app image from the first bytes of `path`; undefined for any other kind of file. */
export async function readImageFacts(path: string): Promise<ImageFacts | undefined> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(ESP_APP_HEADER_LENGTH);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const header = readEspAppHeader(head.subarray(0, bytesRead));
    if (!header) return undefined;
    return { chipFamily: header.chipFamily ?? `chip id ${header.chipId}`, projectName: header.app.projectName, version: header.app.version, secureVersion: header.app.secureVersion };
  } finally {
    await file.close();
  }
}

/**
 * At commit: the image must not contradict what its offer claimed (the chip the offer passed with, the security
 * version it named). Returns the security version to record and where it came from.
 */
export function checkAgainstOffer(device: Device, facts: ImageFacts | undefined, offered: { securityVersion?: number; source?: CounterSource }): { securityVersion: number; source: CounterSource } {
  if (!facts) return { securityVersion: offered.securityVersion ?? 0, source: offered.source ?? 'offer' };
  const chip = device.config.chipFamily;
  if (!same(facts.chipFamily, chip)) {
    throw new AgentRefusal('image-mismatch', `The offer said the image is for ${chip}, but its header says ${facts.chipFamily}; the upload was discarded.`, { field: 'chipFamily', offered: chip, image: facts.chipFamily });
  }
  if (offered.securityVersion !== undefined && offered.securityVersion !== facts.secureVersion) {
    const said = offered.source === 'signed-manifest' ? 'The signed manifest says' : 'The offer said';
    throw new AgentRefusal('image-mismatch', `${said} security version ${offered.securityVersion}, but the image's app descriptor says ${facts.secureVersion}; the upload was discarded.`, { field: 'securityVersion', offered: offered.securityVersion, image: facts.secureVersion });
  }
  checkSecurityVersion(device, facts.secureVersion);
  return { securityVersion: facts.secureVersion, source: 'image' };
}

/**
 * For uploads that come without an offer (the compatibility endpoints): the checks an offer would get, from what
 * the image says. An image that says nothing passes; its security version is the device's own.
 */
export function checkWithoutOffer(device: Device, facts: ImageFacts | undefined): { securityVersion: number; source: CounterSource } {
  const { config } = device;
  if (!facts) return { securityVersion: device.securityVersion, source: device.counterSources.securityVersion };
  if (!same(facts.chipFamily, config.chipFamily)) {
    throw new AgentRefusal('incompatible-chip', `The image is built for ${facts.chipFamily}; this device's chip is ${config.chipFamily}.`, { device: config.chipFamily, image: facts.chipFamily });
  }
  if (!same(facts.projectName, config.product)) {
    throw new AgentRefusal('incompatible-product', `The image is the project ${facts.projectName}; this device runs ${config.product}.`, { device: config.product, image: facts.projectName });
  }
  checkSecurityVersion(device, facts.secureVersion);
  return { securityVersion: facts.secureVersion, source: 'image' };
}
