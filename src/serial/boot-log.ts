// Reads what an ESP chip printed after a reset and says whether it booted an app, and if not, why.
// Pure: text in, reading out. Knows the ROM's, the 2nd-stage bootloader's and ESP-IDF 4.x/5.x start-up lines.

export interface RunningApp {
  projectName: string;
  version: string;
  /** The ESP-IDF version line, when printed. */
  idfVersion?: string;
}

export type BootVerdict =
  | { kind: 'booted'; app: RunningApp }
  /** The ROM found no 2nd-stage bootloader: nothing flashed there, or flashed at the wrong offset. */
  | { kind: 'invalid-header'; word: string }
  /** The bootloader ran but found no partition table or no app it could start. */
  | { kind: 'no-app'; detail: string }
  /** The header asks for more flash than the chip has: start-up stops in esp_flash_init. */
  | { kind: 'flash-size'; headerBytes: number; chipBytes: number }
  | { kind: 'panic'; detail: string; app?: RunningApp }
  | { kind: 'brownout'; app?: RunningApp }
  /** Reset after reset with no crash message (watchdog, esp_restart in a loop, a supply that sags). */
  | { kind: 'boot-loop'; resets: number; app?: RunningApp }
  /** The chip waits in its ROM loader: IO0 held low at reset. */
  | { kind: 'download-mode' }
  | { kind: 'no-output' }
  /** Bytes came, but not text: the console runs at another baud rate. */
  | { kind: 'unreadable' }
  /** Text came, but none of the lines ESP-IDF prints while starting. */
  | { kind: 'unrecognised' };

export interface BootReading {
  verdict: BootVerdict;
  /**
   * True when more output cannot change the verdict (a crash, a loop, a ROM that gave up).
   * A "booted" reading is never decisive on its own: the app may still crash a moment later.
   */
  decisive: boolean;
}

/** Reset lines after the first one (the reset FieldFlash asked for) that make a loop. */
export const BOOT_LOOP_RESETS = 2;

const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** Lines without colour codes or carriage returns. */
function linesOf(text: string): string[] {
  return text.replace(ESCAPES, '').split(/\r\n|\r|\n/);
}

/** "I (245) cpu_start: Project name:     hello" and "I (93) app_init: Project name: hello" alike. */
function startupField(line: string, field: string): string | undefined {
  const at = line.indexOf(`${field}:`);
  if (at < 0 || !/^[IWE] \(\d+\) (cpu_start|app_init|app_start): /.test(line)) return undefined;
  return line.slice(at + field.length + 1).trim();
}

const PANIC_PATTERNS: readonly RegExp[] = [
  /Guru Meditation Error: .*/,
  /ESP_ERROR_CHECK failed: .*/,
  /abort\(\) was called at PC 0x[0-9a-fA-F]+.*/,
  /assert failed: .*/,
  /assertion ".*" failed: .*/,
  /\*\*\*ERROR\*\*\* A stack overflow in task .*/,
];

const NO_APP_PATTERNS: readonly RegExp[] = [
  /load partition table error/,
  /Failed to verify partition table/,
  /No bootable app partitions in the partition table/,
];

const SIZE = /Detected size\((\d+)k\) smaller than the size in the binary image header\((\d+)k\)/;
const INVALID_HEADER = /invalid header: (0x[0-9a-fA-F]{8})/;
const RESET_LINE = /^rst:0x[0-9a-f]+ \(/;

/** Reads the whole log captured since the reset. `ended`: no more output is coming (the watch is over). */
export function readBootLog(text: string, options: { ended: boolean } = { ended: false }): BootReading {
  const lines = linesOf(text);
  let app: Partial<RunningApp> = {};
  let started: RunningApp | undefined;
  let resets = 0;
  let panic: string | undefined;
  let brownout = false;
  let invalidHeader: string | undefined;
  let noApp: string | undefined;
  let size: { headerBytes: number; chipBytes: number } | undefined;
  let download = false;

  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (RESET_LINE.test(line)) {
      resets++;
      app = {};
      if (/BROWN_?OUT/i.test(line) && resets > 1) brownout = true;
      continue;
    }
    const project = startupField(line, 'Project name');
    if (project !== undefined) app = { projectName: project };
    const version = startupField(line, 'App version');
    if (version !== undefined && app.projectName !== undefined) {
      app.version = version;
      started = { projectName: app.projectName, version };
    }
    const idf = startupField(line, 'ESP-IDF');
    if (idf !== undefined && started && app.version !== undefined) started.idfVersion = idf;
    const sizeMatch = SIZE.exec(line);
    if (sizeMatch) size ??= { chipBytes: Number(sizeMatch[1]) * 1024, headerBytes: Number(sizeMatch[2]) * 1024 };
    if (/Brownout detector was triggered/.test(line)) brownout = true;
    if (panic === undefined) {
      for (const pattern of PANIC_PATTERNS) {
        const m = pattern.exec(line);
        if (m) {
          panic = m[0].trim();
          break;
        }
      }
    } else if (/^abort\(\) was called/.test(panic) && /^ESP_ERROR_CHECK failed/.test(line)) {
      panic = line;
    }
    const header = INVALID_HEADER.exec(line);
    if (header) invalidHeader ??= header[1]!.toLowerCase();
    if (noApp === undefined && NO_APP_PATTERNS.some((p) => p.test(line))) noApp = line.replace(/^[IWE] \(\d+\) \w+: /, '');
    if (/waiting for download/.test(line)) download = true;
  }
  const looping = resets > BOOT_LOOP_RESETS;
  const withApp = <T extends object>(v: T): T & { app?: RunningApp } => (started ? { ...v, app: started } : v);

  if (size) return { verdict: { kind: 'flash-size', ...size }, decisive: true };
  if (brownout) return { verdict: withApp({ kind: 'brownout' as const }), decisive: true };
  if (panic !== undefined) return { verdict: withApp({ kind: 'panic' as const, detail: panic }), decisive: true };
  if (invalidHeader !== undefined) return { verdict: { kind: 'invalid-header', word: invalidHeader }, decisive: true };
  if (noApp !== undefined) return { verdict: { kind: 'no-app', detail: noApp }, decisive: true };
  if (looping) return { verdict: withApp({ kind: 'boot-loop' as const, resets: resets - 1 }), decisive: true };
  if (started) return { verdict: { kind: 'booted', app: started }, decisive: false };
  if (download) return { verdict: { kind: 'download-mode' }, decisive: true };
  return { verdict: silence(text), decisive: options.ended };
}

/** No start-up lines: nothing at all, bytes that are not text (wrong baud), or text of another kind. */
function silence(text: string): BootVerdict {
  const visible = text.replace(ESCAPES, '').replace(/\s/g, '');
  if (visible.length === 0) return { kind: 'no-output' };
  let readable = 0;
  for (const ch of visible) if (ch >= '!' && ch <= '~') readable++;
  return readable / [...visible].length < 0.7 ? { kind: 'unreadable' } : { kind: 'unrecognised' };
}

/** Whether the app that booted is the one in the release (project name and version from esp_app_desc_t). */
export function sameApp(running: RunningApp, expected: { projectName: string; version: string }): boolean {
  return running.projectName === expected.projectName && running.version === expected.version;
}
