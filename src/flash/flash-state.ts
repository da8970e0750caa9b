// What the Flash view shows, as values the controller sets and components watch.
import { useEffect, useState } from 'preact/hooks';
import type { DeviceIdentity } from '../serial/device-identity.ts';
import type { FlashProblemCode } from '../serial/flash-problems.ts';
import type { WriteProgress } from '../serial/write-progress.ts';
import type { WriteReport } from '../serial/esp-session.ts';
import type { BootVerdictText } from '../serial/boot-verdict.ts';
import type { BootFault } from '@fieldflash/esp-emulator';

/** A value several components watch, with a hook that re-renders on change. */
export class Watched<T> {
  private value: T;
  private readonly listeners = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.value = initial;
  }

  get(): T {
    return this.value;
  }

  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  update(change: (value: T) => T): void {
    this.set(change(this.value));
  }

  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

export function useWatched<T>(watched: Watched<T>): T {
  const [value, setValue] = useState(() => watched.get());
  useEffect(() => {
    setValue(watched.get());
    return watched.subscribe(setValue);
  }, [watched]);
  return value;
}

export type SimulatedChip = 'esp32' | 'esp32s3' | 'esp32c3';

/** Faults a demo can switch on and leave on (unlike a pulled cable, which happens once). */
export interface LastingFaults {
  /** Above this rate the simulated line garbles bytes (a long cable, a cheap adapter). */
  maxReliableBaud: number | undefined;
  /** The board prints its banner but never answers SYNC (not in download mode). */
  neverSync: boolean;
  /** The flashed app fails after starting, at every boot (panic, abort, brownout, boot loop), or the board prints nothing (silent). */
  bootFault: BootFault | undefined;
}

export const SIMULATED_CHIPS: readonly { id: SimulatedChip; label: string }[] = [
  { id: 'esp32', label: 'ESP32' },
  { id: 'esp32s3', label: 'ESP32-S3' },
  { id: 'esp32c3', label: 'ESP32-C3' },
];

export const SIMULATED_FLASH_SIZES: readonly { bytes: number; label: string }[] = [
  { bytes: 4 * 1024 * 1024, label: '4 MB' },
  { bytes: 16 * 1024 * 1024, label: '16 MB' },
];

export type Connection =
  | { status: 'disconnected' }
  | { status: 'connecting'; simulated: boolean }
  | { status: 'connected'; simulated: boolean; portLabel: string; identity: DeviceIdentity };

export type Activity = 'idle' | 'flashing' | 'monitoring';

/** A problem as the view shows it (role="alert"). */
export interface ShownProblem {
  code: FlashProblemCode;
  message: string;
  nextStep: string;
}

export interface FlashOutcome {
  releaseLabel: string;
  /** "the simulated ESP32", "ESP32-S3": where it went. */
  board: string;
  report: WriteReport;
  /** True when the link fell back from the chosen rate. */
  fellBackFrom: number | undefined;
  /** The release FieldFlash had written to this board before, when the new one was compared with it. */
  comparedWith?: { label: string; writtenAt: number };
}

/** The board's start after a flash: being watched, or the verdict. */
export type BootShown = { status: 'watching'; seconds: number } | ({ status: 'done'; releaseLabel: string } & BootVerdictText);

export const BAUD_RATES = [115200, 230400, 460800, 921600, 1500000, 2000000] as const;
export const DEFAULT_BAUD = 921600;

export type EraseChoice = 'erase-all' | 'keep-data';
export type FlashModeOption = 'keep' | 'dio';

export interface FlashOptions {
  erase: EraseChoice;
  baudRate: number;
  flashMode: FlashModeOption;
}

/** The console keeps the newest text only: a monitor left open for a day must not eat the laptop's memory. */
export const CONSOLE_LIMIT = 512 * 1024;

export interface SimulatedSummary {
  chip: SimulatedChip;
  flashSize: number;
  plugged: boolean;
  faults: LastingFaults;
}

export const flashState = {
  connection: new Watched<Connection>({ status: 'disconnected' }),
  activity: new Watched<Activity>('idle'),
  progress: new Watched<WriteProgress | undefined>(undefined),
  outcome: new Watched<FlashOutcome | undefined>(undefined),
  problem: new Watched<ShownProblem | undefined>(undefined),
  boot: new Watched<BootShown | undefined>(undefined),
  log: new Watched<readonly string[]>([]),
  console: new Watched<string>(''),
  consoleBaud: new Watched<number>(115200),
  /** Set while a simulated device exists (connected or not), so its panel stays usable after a pulled cable. */
  simulated: new Watched<SimulatedSummary | undefined>(undefined),
};
