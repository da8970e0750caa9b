// The address of a view, and of a release chosen for the Flash view, read back as it was written.
import { describe, expect, test } from 'vitest';
import { hrefFor, routeFromHash } from '../../src/routes.ts';

describe('routes', () => {
  test('a release chosen for flashing travels in the Flash view address', () => {
    const id = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
    const href = hrefFor('flash', { release: id });
    expect(href).toBe(`#/flash?release=${id}`);
    expect(routeFromHash(href)).toEqual({ view: 'flash', release: id });
  });

  test('plain view addresses carry no release; unknown ones open the library', () => {
    expect(routeFromHash(hrefFor('flash'))).toEqual({ view: 'flash', release: undefined });
    expect(routeFromHash('#/flash?release=')).toEqual({ view: 'flash', release: undefined });
    expect(routeFromHash('#/library?release=abc')).toEqual({ view: 'library', release: undefined });
    expect(routeFromHash('')).toEqual({ view: 'library', release: undefined });
    expect(routeFromHash('#/nowhere?release=abc')).toEqual({ view: 'library', release: undefined });
    expect(routeFromHash(hrefFor('settings'))).toEqual({ view: 'settings', release: undefined });
  });

  test('a pairing link to the app opens the Devices view with its fragment', () => {
    expect(routeFromHash(hrefFor('devices'))).toEqual({ view: 'devices', release: undefined });
    const fragment = '#pair=http%3A%2F%2F192.168.1.40%3A8070&code=7KQ4-M2XD-9PWA-H3TN';
    expect(routeFromHash(fragment)).toEqual({ view: 'devices', release: undefined, pairingLink: fragment });
  });

  test('a web+fieldflash link handed over by the protocol handler (/#pair=%s) opens the Devices view with that link', () => {
    const link = 'web+fieldflash://pair?device=http%3A%2F%2F192.168.1.40%3A8070&code=7KQ4-M2XD-9PWA-H3TN';
    // Chrome escapes the link as a query value, spaces as +, so a + of its own arrives as %2B.
    const handed = `#pair=${encodeURIComponent(link)}`;
    expect(routeFromHash(handed)).toEqual({ view: 'devices', release: undefined, pairingLink: link });
  });

  test('a board set up over USB travels in the Devices view address', () => {
    const href = hrefFor('devices', { board: '24:0a:c4:12:34:56' });
    expect(href).toBe('#/devices?board=24%3A0a%3Ac4%3A12%3A34%3A56');
    expect(routeFromHash(href)).toEqual({ view: 'devices', release: undefined, board: '24:0a:c4:12:34:56' });
    expect(routeFromHash('#/library?board=24%3A0a')).toEqual({ view: 'library', release: undefined });
  });
});
