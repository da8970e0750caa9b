// How long the MicroPython agent takes to verify a release's signature (docs/protocol.md §4.9), in pure Python inside
// the MicroPython WebAssembly interpreter (agents/micropython/fieldflash/ed25519.py, p256.py), against the same
// verification with Node's WebCrypto (OpenSSL) as the baseline. One verification per algorithm and manifest: a
// firmware release's manifest and a source tree's of 60 files (Ed25519 hashes the whole manifest with SHA-512, in
// pure Python here). The interpreter's figure is the median of 5 runs, WebCrypto's the mean of 200.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript/micropython.mjs';
import { writeNativeManifest } from '../packages/bundle/src/index.ts';
import { bytesToBase64, generateSigningKey, signManifest, webCryptoImport, webCryptoSign, type SignatureAlgorithm } from '../packages/bundle/src/trust/index.ts';
import { copyPythonTree } from '../agents/micropython/bridge/fs-mirror.ts';
import { reportRow } from './lib/report-rows.ts';

const AGENT = fileURLToPath(new URL('../agents/micropython/', import.meta.url));
const RUNS = 5;
const NODE_RUNS = 200;


async function manifests(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const text = (s: string) => new TextEncoder().encode(s);
  const firmware = await writeNativeManifest({
    product: 'demo-sensor', version: '1.1.0', sequence: 2, securityVersion: 0,
    targets: [{ chipFamily: 'ESP32', ota: { image: 'app.bin' } }], files: [{ path: 'app.bin', data: new Uint8Array(1 << 20) }],
  });
  const tree = await writeNativeManifest({
    product: 'demo-sensor', version: '1.1.0', sequence: 2, securityVersion: 0,
    targets: [{ runtime: { name: 'micropython' }, sourceTree: { root: 'src' } }],
    files: [{ path: 'src/main.py', data: text('import fieldflash\n') }, ...Array.from({ length: 59 }, (_, i) => ({ path: `src/lib/module_${i}.py`, data: text(`N = ${i}\n`) }))],
  });
  return [{ name: 'firmware manifest', bytes: text(firmware) }, { name: 'source tree of 60 files', bytes: text(tree) }];
}

const mp = await loadMicroPython({ heapsize: 1024 * 1024, stdout: () => {}, stderr: (line) => process.stderr.write(`${line}\n`) });
mp.FS.mkdir('/lib');
copyPythonTree(mp.FS, join(AGENT, 'fieldflash'), '/lib/fieldflash');
copyPythonTree(mp.FS, join(AGENT, 'tests', 'stubs'), '/stubs');
mp.runPython(`
import sys, time, json
sys.path[:0] = ['/stubs', '/lib']
from fieldflash import trust
from fieldflash.crypto import unb64
def timed(spki, message, signature):
    key = trust.from_spki(unb64(spki))
    started = time.ticks_ms()
    good = trust.verify(key, unb64(message), unb64(signature), lambda line: None)
    return [good, time.ticks_diff(time.ticks_ms(), started)]`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('Signature verification of a release manifest: MicroPython (pure Python, WebAssembly) vs Node WebCrypto');
console.log('algorithm   manifest                          bytes   MicroPython   WebCrypto   ratio');
for (const algorithm of ['ed25519', 'ecdsa-p256'] as SignatureAlgorithm[]) {
  const key = await generateSigningKey(algorithm);
  for (const manifest of await manifests()) {
    const signature = (await signManifest(manifest.bytes, key)).signature;
    const args = [bytesToBase64(key.publicKey.spki), bytesToBase64(manifest.bytes), bytesToBase64(signature)].map((s) => JSON.stringify(s)).join(', ');
    const inInterpreter: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      mp.runPython(`result = json.dumps(timed(${args}))`);
      const [good, ms] = JSON.parse(mp.globals.get('result') as string) as [boolean, number];
      if (!good) throw new Error(`the interpreter did not verify the ${algorithm} signature`);
      inInterpreter.push(ms);
    }
    const publicKey = await crypto.subtle.importKey('spki', key.publicKey.spki as BufferSource, webCryptoImport(algorithm), false, ['verify']);
    const started = performance.now();
    for (let i = 0; i < NODE_RUNS; i++) {
      if (!(await crypto.subtle.verify(webCryptoSign(algorithm), publicKey, signature as BufferSource, manifest.bytes as BufferSource))) throw new Error('WebCrypto did not verify');
    }
    const node = (performance.now() - started) / NODE_RUNS;
    const mpy = median(inInterpreter);
    console.log(`${algorithm.padEnd(11)} ${manifest.name.padEnd(32)} ${String(manifest.bytes.length).padStart(6)} ${`${mpy} ms`.padStart(13)} ${`${node.toFixed(3)} ms`.padStart(11)}   ${Math.round(mpy / node)}x`);
    reportRow({
      name: `one ${algorithm} verification inside MicroPython, ${manifest.name} (${manifest.bytes.length} bytes)`,
      value: mpy,
      unit: 'ms',
      baseline: { name: 'Node WebCrypto', value: node, unit: 'ms' },
      ratio: mpy / node,
      ratioOf: 'x WebCrypto',
      runs: inInterpreter.map((ms) => ms / node),
    });
  }
}
