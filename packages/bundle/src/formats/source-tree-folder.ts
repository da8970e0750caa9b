// A MicroPython application dropped as it sits in its project, with no manifest: a folder (or zip) holding main.py, or
// src/main.py as the MicroPython OTA updater lays a project out. It is read as a source-tree release whose product is
// the folder's name and whose version comes from .version or main.py's __version__ (docs/bundle-format.md).
import type { LoadedFile } from '../loaded-file.ts';
import type { BundleFiles, DeclaredFile, ReleaseDraft } from '../release-draft.ts';
import type { ReleaseNote } from '../release.ts';
import { DEFAULT_DEVICE_LOCAL, DEFAULT_ENTRY, devicePath, isDeviceLocal, VERSION_FILE } from '../source-tree.ts';

/** The version a release gets when its tree says none; SemVer, below every numbered release. */
export const UNVERSIONED = '0.0.0-unversioned';

const ENTRY_FILE = `${DEFAULT_ENTRY}.py`;
const DUNDER_VERSION = /^__version__\s*=\s*(['"])([^'"\r\n]+)\1/m;

interface Layout {
  /** The folder the project sits in ("" or "blink/"), named after the product. */
  base: string;
  /** The tree's root: the base itself, or its src/ folder. */
  root: string;
}

function findLayout(paths: ReadonlySet<string>): Layout | undefined {
  const inBase = (base: string): Layout | undefined => {
    if (paths.has(`${base}src/${ENTRY_FILE}`)) return { base, root: `${base}src` };
    if (paths.has(`${base}${ENTRY_FILE}`)) return { base, root: base.replace(/\/$/, '') };
    return undefined;
  };
  const atTop = inBase('');
  if (atTop) return atTop;
  // A zip of the project folder: everything sits in one folder, named after the project.
  const tops = new Set([...paths].map((p) => p.split('/')[0]!));
  const top = tops.size === 1 ? [...tops][0]! : undefined;
  return top !== undefined && [...paths].every((p) => p.includes('/')) ? inBase(`${top}/`) : undefined;
}

/** Hidden files and folders (.git/, .vscode/) and CPython's caches are the project's, not the application's. */
function isProjectClutter(path: string): boolean {
  return path.split('/').some((segment) => segment.startsWith('.') || segment === '__pycache__');
}

function productName(layout: Layout, bundleName: string, version: string | undefined): string {
  if (layout.base) return layout.base.slice(0, -1);
  let name = (bundleName.split(/[\\/]/).pop() ?? bundleName).replace(/\.(zip|py)$/i, '');
  // "blink-1.2.0.zip" holds blink 1.2.0.
  if (version && name.length > version.length + 1) name = name.replace(new RegExp(`[-_ ]v?${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), '');
  return name.trim() || 'MicroPython application';
}

function listed(paths: readonly string[]): string {
  return paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
}

function versionOf(root: string, files: BundleFiles): { declared: string; source: string } | undefined {
  const prefix = root ? `${root}/` : '';
  const recorded = files.get(`${prefix}${VERSION_FILE}`)?.text?.trim().split(/\r?\n/)[0]?.trim();
  if (recorded) return { declared: recorded, source: `${prefix}${VERSION_FILE}` };
  const dunder = DUNDER_VERSION.exec(files.get(`${prefix}${ENTRY_FILE}`)?.text ?? '')?.[2]?.trim();
  if (dunder) return { declared: dunder, source: `__version__ in ${prefix}${ENTRY_FILE}` };
  return undefined;
}

/** Reads a bundle without a manifest as a bare source tree; undefined when it holds no main.py where one belongs. */
export function readBareSourceTree(files: BundleFiles, bundleName: string): ReleaseDraft | undefined {
  const layout = findLayout(new Set(files.list.map((f) => f.path)));
  if (!layout) return undefined;
  const { base, root } = layout;
  const deviceLocal = [...DEFAULT_DEVICE_LOCAL];
  const declared: DeclaredFile[] = [];
  const outside: string[] = [];
  const local: string[] = [];
  let versionFile: LoadedFile | undefined;
  for (const file of files.list) {
    const path = devicePath(root, file.path);
    if (path === VERSION_FILE) versionFile = file;
    else if (path === undefined || isProjectClutter(path)) outside.push(file.path);
    else if (isDeviceLocal(path, deviceLocal)) local.push(file.path);
    else declared.push({ path: file.path, field: file.path, role: 'source' });
  }
  // The record of the version travels with the release (so an export reads back the same), but is not sent.
  if (versionFile) declared.push({ path: versionFile.path, field: versionFile.path, role: 'other' });

  const version = versionOf(root, files);
  const product = productName(layout, bundleName, version?.declared.replace(/^v/i, ''));
  const where = root ? `${root}/` : 'the folder';
  const notes: ReleaseNote[] = [
    { level: 'info', message: `${bundleName} has no manifest; FieldFlash read it as a MicroPython source tree: the ${declared.filter((d) => d.role === 'source').length} files of ${where}, starting ${root ? `${root}/` : ''}${ENTRY_FILE}, named ${product} after the ${base || !/\.zip$/i.test(bundleName) ? 'folder' : 'zip'}.` },
  ];
  if (!version) {
    notes.push({
      level: 'warning',
      message: `${bundleName} says no version (no ${VERSION_FILE} file and no __version__ in ${ENTRY_FILE}), so FieldFlash marks it ${UNVERSIONED}, below every numbered release. Add a ${VERSION_FILE} file holding the version, such as 1.0.0.`,
    });
  }
  if (local.length > 0) {
    notes.push({ level: 'warning', message: `Left out ${listed(local)}: device-local (each device keeps its own, and it may hold secrets), so it is never stored or sent.` });
  }
  if (outside.length > 0) {
    const count = outside.length === 1 ? '1 file' : `${outside.length} files`;
    notes.push({ level: 'info', message: `Left out ${count} that ${root !== base.replace(/\/$/, '') ? `lie outside ${root}/ or ` : ''}belong to the project, not the application (hidden files, __pycache__): ${listed(outside)}.` });
  }
  return {
    format: 'source-tree',
    product,
    declaredVersion: version?.declared ?? UNVERSIONED,
    versionSource: version?.source ?? bundleName,
    builds: [{ target: { runtime: { name: 'micropython' } }, sourceTree: { root, entry: DEFAULT_ENTRY, deviceLocal }, field: 'the source tree' }],
    files: declared,
    notes,
    baseFolder: base,
    excluded: [...outside, ...local],
  };
}

/** The folder a bare source tree's files sit in, from its root: an export wraps a tree that sits in none. */
export function bareTreeBase(root: string): string {
  const folder = root === 'src' ? '' : root.replace(/\/src$/, '');
  return folder ? `${folder}/` : '';
}
