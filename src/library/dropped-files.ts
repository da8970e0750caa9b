// Reads what was dropped on the window: files, and folders (an unzipped release) walked recursively.

import type { PickedFile } from './picked-files.ts';

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries hands out a directory in batches; an empty batch means the end.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) await walk(child, path, out);
  }
}

/**
 * Must be called synchronously inside the drop event: the browser empties the DataTransfer afterwards,
 * so the entries are taken first and read later.
 */
export function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = Array.from(data.files);
  if (entries.length === 0 || entries.some((e) => e === null)) {
    // Some sources (and synthetic drops) give plain files without entries.
    return Promise.resolve(files.map((file) => ({ path: file.name, file })));
  }
  return (async () => {
    const out: PickedFile[] = [];
    for (const entry of entries) await walk(entry!, '', out);
    return out;
  })();
}
