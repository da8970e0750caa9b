import { describe, expect, it } from 'vitest';
import { isMixedContent, localNetworkPermission, RequestBlocked } from '../src/index.ts';
import { whyBlocked } from '../src/blocked-request.ts';

describe('isMixedContent (what a browser keeps an https page from requesting)', () => {
  const page = 'https://fieldflash.example/#/devices';

  it('is plain http from an https page, unless the request declares its address space to a browser that honours it', () => {
    expect(isMixedContent(page, 'http://sensor.lan:8070/fieldflash/v1/device', undefined, true)).toBe(true);
    expect(isMixedContent(page, 'http://192.168.1.40:8070/', 'local', true)).toBe(false);
    expect(isMixedContent(page, 'http://192.168.1.40:8070/', 'local', false)).toBe(true);
  });

  it('never applies to loopback, an https device, or a page on http', () => {
    expect(isMixedContent(page, 'http://127.0.0.1:8070/', undefined, false)).toBe(false);
    expect(isMixedContent(page, 'http://localhost:8070/', undefined, false)).toBe(false);
    expect(isMixedContent(page, 'http://[::1]:8070/', undefined, false)).toBe(false);
    expect(isMixedContent(page, 'https://sensor.lan:8443/', undefined, false)).toBe(false);
    expect(isMixedContent('http://127.0.0.1:5173/', 'http://sensor.lan:8070/', undefined, false)).toBe(false);
  });
});

describe('outside a page (Node)', () => {
  it('no request is ever blocked, and there is no permission to ask about', async () => {
    expect(await whyBlocked('http://192.168.1.40:8070/', 'local', new TypeError('fetch failed'))).toBeUndefined();
    expect(await localNetworkPermission('local')).toBeUndefined();
  });

  it('a blocked request says which rule, in words', () => {
    expect(new RequestBlocked('local-network-permission', 'http://192.168.1.40:8070/x', 'local').message).toBe(
      "The browser blocked the request to 192.168.1.40:8070: this page's permission to reach devices on the local network (Local Network Access) is refused.",
    );
    expect(new RequestBlocked('mixed-content', 'http://sensor.lan:8070/x', undefined).message).toBe(
      'The browser blocked the request to sensor.lan:8070 as mixed content: this page is served over https, the device over plain http.',
    );
  });
});
