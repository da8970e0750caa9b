import { describe, expect, it } from 'vitest';
import { webHref } from '../../src/web-link.ts';

describe('webHref', () => {
  it('links http and https addresses', () => {
    expect(webHref('http://192.168.1.40:8070/')).toBe('http://192.168.1.40:8070/');
    expect(webHref('https://example.com/a b')).toBe('https://example.com/a%20b');
  });

  it('leaves script, data and other addresses as text', () => {
    for (const text of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '//evil.example/', 'not a url', '']) {
      expect(webHref(text)).toBeUndefined();
    }
  });
});
