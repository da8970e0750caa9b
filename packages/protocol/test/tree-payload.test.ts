// The source-tree payload a client sends (docs/protocol.md §4.8): its lines byte for byte, the same bytes for the
// same delta, and the paths and lines a device could not take, refused before anything is sent.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildTreePayload, type TreePayloadFile, UpdateError } from '../src/index.ts';

const file = (path: string, text: string): TreePayloadFile => {
  const data = new TextEncoder().encode(text);
  return { path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length, data: new Blob([data]) };
};

describe('the source-tree payload', () => {
  it('is the documented lines, each file followed by its bytes, named by its SHA-256', async () => {
    const main = file('main.py', 'print(1)\n');
    const payload = await buildTreePayload({ version: '1.3.0', entry: 'main', deviceLocal: ['env.py', 'data/'], write: [main], remove: ['lib/old.py'] });
    const text = new TextDecoder().decode(payload.bytes);
    expect(text).toBe(`fieldflash-tree 1\nversion 1.3.0\nentry main\nlocal env.py\nlocal data/\ndelete lib/old.py\nfile ${main.sha256} 9 main.py\nprint(1)\nend\n`);
    expect(payload.sha256).toBe(createHash('sha256').update(payload.bytes).digest('hex'));
    const again = await buildTreePayload({ version: '1.3.0', entry: 'main', deviceLocal: ['env.py', 'data/'], write: [main], remove: ['lib/old.py'] });
    expect(again.sha256).toBe(payload.sha256);
  });

  it('refuses a path with a line break, a record longer than 512 bytes, and a file of another size than listed', async () => {
    const spec = { version: '1.3.0', entry: 'main', deviceLocal: [], remove: [] };
    await expect(buildTreePayload({ ...spec, write: [file('a\nb.py', '')] })).rejects.toThrow(UpdateError);
    await expect(buildTreePayload({ ...spec, write: [file(`${'d/'.repeat(250)}x.py`, '')] })).rejects.toThrow(/longer than 512 bytes/);
    await expect(buildTreePayload({ ...spec, write: [{ ...file('a.py', 'abc'), size: 4 }] })).rejects.toThrow('a.py holds 3 bytes, not the 4 the release lists.');
  });
});
