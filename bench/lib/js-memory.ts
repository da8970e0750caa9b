// The page's JavaScript memory after a full garbage collection, read over CDP: the V8 heap and ArrayBuffer backing
// stores, with V8's compiled code told apart. Compiled code grows as the JIT warms to the import (bytecode, then
// optimised code for the hot loops) and is bounded by the program; the rest is data, what the page keeps.
import type { CDPSession } from 'playwright-core';

export interface JsMemory {
  /** V8 heap in use plus ArrayBuffer backing stores. */
  totalBytes: number;
  /** Of which V8's compiled code (bytecode, machine code and their metadata), from a heap snapshot. */
  codeBytes: number;
  /** totalBytes - codeBytes. */
  dataBytes: number;
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
}

/** Collects garbage, reads the heap's use, then takes a heap snapshot to weigh the compiled code in it. */
export async function jsMemoryAfterGc(cdp: CDPSession): Promise<JsMemory> {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  const chunks: string[] = [];
  const onChunk = (event: { chunk: string }) => void chunks.push(event.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const snapshot = JSON.parse(chunks.join('')) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const typeAt = fields.indexOf('type');
  const sizeAt = fields.indexOf('self_size');
  const code = snapshot.snapshot.meta.node_types[0].indexOf('code');
  let codeBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    if (snapshot.nodes[i + typeAt] === code) codeBytes += snapshot.nodes[i + sizeAt]!;
  }
  const totalBytes = usage.usedSize + (usage.backingStorageSize ?? 0);
  return { totalBytes, codeBytes, dataBytes: totalBytes - codeBytes };
}
