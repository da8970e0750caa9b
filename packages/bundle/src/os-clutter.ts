// Files that operating systems add to folders and zips on their own; they are never part of a release.
// macOS Finder: __MACOSX/ with AppleDouble "._name" resource forks, and .DS_Store; Windows: Thumbs.db, desktop.ini.

const CLUTTER_NAMES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

/** Whether a bundle path ('/'-separated) is operating-system clutter rather than a file of the release. */
export function isOsClutter(path: string): boolean {
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.includes('__MACOSX')) return true;
  const name = segments[segments.length - 1] ?? '';
  return name.startsWith('._') || CLUTTER_NAMES.has(name.toLowerCase());
}
