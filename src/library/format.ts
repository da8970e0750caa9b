// How the library writes sizes, offsets, dates and targets for people.
import type { Target } from '@fieldflash/bundle';
import { runtimeLabel } from '@fieldflash/bundle/source-tree';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Flash offsets the way esptool and partition tables print them: 0x1000. */
export function hexOffset(offset: number): string {
  return `0x${offset.toString(16)}`;
}

// Building a date formatter is costly (locale data); one serves every release in the list.
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(ms: number): string {
  return dateFormat.format(ms);
}

/** "ESP32 · devkit"; a source tree for any chip is named by its runtime: "MicroPython 1.22.0 or later". */
export function targetLabel(target: Target): string {
  const what = target.chipFamily ?? (target.runtime ? runtimeLabel(target.runtime) : 'any chip');
  return target.board ? `${what} · ${target.board}` : what;
}

const two = (n: number) => String(n).padStart(2, '0');

/** A compact local date for lists, the same width on every row and sorting as text does: 2025-03-07. */
export function formatShortDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}
