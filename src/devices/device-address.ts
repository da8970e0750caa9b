// What a technician types as a device's address, read as the base URL the protocol client needs.

/** Thrown for text that is not an http(s) address of a device. */
export class AddressProblem extends Error {
  constructor(text: string) {
    super(`"${text}" is not a device address.`);
    this.name = 'AddressProblem';
  }
}

/**
 * The device's origin: "192.168.1.40:8070" and "http://192.168.1.40:8070/anything" both give
 * "http://192.168.1.40:8070". A missing scheme means http, as devices on a LAN rarely have certificates.
 */
export function deviceOrigin(text: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  if (!URL.canParse(withScheme)) throw new AddressProblem(trimmed);
  const url = new URL(withScheme);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username || url.password) throw new AddressProblem(trimmed);
  return url.origin;
}
