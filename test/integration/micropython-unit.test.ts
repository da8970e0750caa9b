// The MicroPython agent's unit tests (agents/micropython/tests), run inside the MicroPython interpreter
// (@micropython/micropython-webassembly-pyscript): the protocol's test vectors, the replay window, upload offsets, the
// source-tree payload, the swap journal, and signature verification against keys and signatures WebCrypto makes here.
// Each Python test is one case here, with its traceback when it fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyPythonTree } from '../../agents/micropython/bridge/fs-mirror.ts';
import { fileURLToPath } from 'node:url';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript/micropython.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64, generateSigningKey, publicKeyFile, signManifest, spkiToPem } from '../../packages/bundle/src/trust/index.ts';

const AGENT = fileURLToPath(new URL('../../agents/micropython/', import.meta.url));
const MODULES = ['test_crypto', 'test_replay', 'test_uploads', 'test_tree', 'test_signatures'];
const doc = readFileSync(fileURLToPath(new URL('../../docs/protocol.md', import.meta.url)), 'utf8');
const vectors = /<!-- vectors -->\s*```json\n([\s\S]*?)```/.exec(doc)![1]!;

let results: Array<[string, string | null]> = [];

/** Two keys of each algorithm, each signing a manifest-sized message, as the release CLI signs with WebCrypto. */
async function signatureVectors(): Promise<string> {
  const vectors = [];
  for (const algorithm of ['ed25519', 'ecdsa-p256'] as const) {
    for (let i = 0; i < 2; i++) {
      const key = await generateSigningKey(algorithm, 'publisher');
      const message = new TextEncoder().encode(JSON.stringify({ format: 'fieldflash-release', version: `1.${i}.0`, padding: 'x'.repeat(700) }));
      const signed = await signManifest(message, key);
      vectors.push({
        algorithm, keyId: key.publicKey.keyId, keyFile: publicKeyFile(key.publicKey), pem: spkiToPem(key.publicKey.spki),
        message: bytesToBase64(message), signature: bytesToBase64(signed.signature),
      });
    }
  }
  return JSON.stringify({ vectors });
}


beforeAll(async () => {
  const output: string[] = [];
  const mp = await loadMicroPython({ heapsize: 1024 * 1024, stdout: (line) => output.push(line), stderr: (line) => output.push(line) });
  mp.FS.mkdir('/lib');
  copyPythonTree(mp.FS, join(AGENT, 'fieldflash'), '/lib/fieldflash');
  copyPythonTree(mp.FS, join(AGENT, 'tests'), '/tests');
  mp.FS.writeFile('/tests/vectors.json', vectors);
  mp.FS.writeFile('/tests/signatures.json', await signatureVectors());
  // The WebAssembly port has no os.urandom; the tests need no cryptographic randomness.
  mp.runPython(`
import sys, os, random, json
sys.path[:0] = ['/tests', '/tests/stubs', '/lib']
os.urandom = lambda n: bytes(random.getrandbits(8) for _ in range(n))
import runner
result = json.dumps(runner.run(${JSON.stringify(MODULES)}))`);
  results = JSON.parse(mp.globals.get('result') as string) as Array<[string, string | null]>;
}, 120_000);

describe('the MicroPython agent, tested inside the interpreter', () => {
  it('runs every test of every module', () => {
    expect(new Set(results.map(([name]) => name.split('.')[0]))).toEqual(new Set(MODULES));
    expect(results.length).toBeGreaterThan(20);
  });

  for (const module of MODULES) {
    it(`${module}: every test passes`, () => {
      const failed = results.filter(([name, error]) => name.startsWith(`${module}.`) && error !== null);
      expect(failed.map(([name, error]) => `${name}\n${error}`)).toEqual([]);
    });
  }
});
