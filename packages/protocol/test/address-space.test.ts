import { describe, expect, it } from 'vitest';
import { targetAddressSpace } from '../src/index.ts';

describe('targetAddressSpace (Chrome Local Network Access)', () => {
  it('declares loopback, local network, or nothing, from the device URL', () => {
    expect(targetAddressSpace('http://127.0.0.1:8070')).toBe('loopback');
    expect(targetAddressSpace('http://localhost:8070')).toBe('loopback');
    expect(targetAddressSpace('http://[::1]:8070')).toBe('loopback');
    expect(targetAddressSpace('http://192.168.1.40:8070')).toBe('local');
    expect(targetAddressSpace('http://10.0.0.7')).toBe('local');
    expect(targetAddressSpace('http://172.20.1.1')).toBe('local');
    expect(targetAddressSpace('http://172.32.1.1')).toBeUndefined();
    expect(targetAddressSpace('http://[fd12:3456::1]:8070')).toBe('local');
    expect(targetAddressSpace('http://sensor-12.local:8070')).toBe('local');
    expect(targetAddressSpace('https://fieldflash.example')).toBeUndefined();
  });
});
