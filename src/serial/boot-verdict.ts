// A boot reading told in a technician's words: did the board start the app that was written, and if not,
// why and what to do next.
import { formatFlashSize } from './device-identity.ts';
import { hexOffset } from './flash-problems.ts';
import { sameApp, type BootVerdict, type RunningApp } from './boot-log.ts';

export type BootOutcome = 'booted' | 'other-app' | 'unchecked' | 'failed' | 'unknown';

export interface BootVerdictText {
  /** 'booted' (the app written is running: the only green outcome), 'failed', or no firm answer. */
  outcome: BootOutcome;
  title: string;
  nextStep: string;
}

export interface BootContext {
  /** The app in the release that was written; undefined when its image carries no description. */
  expected: { projectName: string; version: string } | undefined;
  /** Where this chip's ROM looks for the bootloader. */
  bootloaderOffset: number;
  consoleBaud: number;
  watchedSeconds: number;
}

const app = (a: RunningApp) => `${a.projectName} ${a.version}`;
const RESET = 'then press "Reset board" to watch it start again';

export function describeBootVerdict(verdict: BootVerdict, context: BootContext): BootVerdictText {
  switch (verdict.kind) {
    case 'booted': {
      const expected = context.expected;
      if (!expected) {
        return {
          outcome: 'unchecked',
          title: `Booted: ${app(verdict.app)} is running.`,
          nextStep: 'The release does not say which app it holds, so FieldFlash cannot confirm this is the app that was written.',
        };
      }
      if (sameApp(verdict.app, expected)) {
        return { outcome: 'booted', title: `Booted: ${app(verdict.app)} is running.`, nextStep: 'The board started the app that was written.' };
      }
      return {
        outcome: 'other-app',
        title: `Booted another app: the board runs ${app(verdict.app)}, but the release holds ${expected.projectName} ${expected.version}.`,
        nextStep: 'The bootloader chose another app partition (OTA data points elsewhere). Flash again with "Erase everything", or check the release.',
      };
    }
    case 'invalid-header':
      return {
        outcome: 'failed',
        title: `Did not boot: there is no bootloader at ${hexOffset(context.bootloaderOffset)}, where this chip looks for one (the chip says "invalid header: ${verdict.word}").`,
        nextStep: 'The bootloader is missing, overwritten or at the wrong offset. Flash a complete release (bootloader, partition table and app) with "Erase everything".',
      };
    case 'no-app':
      return {
        outcome: 'failed',
        title: `Did not boot: the bootloader found no app it could start ("${verdict.detail}").`,
        nextStep: 'The partition table is missing or does not match the app. Flash a complete release with "Erase everything".',
      };
    case 'flash-size':
      return {
        outcome: 'failed',
        title: `Did not boot: the firmware is built for ${formatFlashSize(verdict.headerBytes)} of flash, but this board has ${formatFlashSize(verdict.chipBytes)}.`,
        nextStep: `Choose a release built for ${formatFlashSize(verdict.chipBytes)} of flash, or a board with more flash.`,
      };
    case 'panic':
      return {
        outcome: 'failed',
        title: `Did not boot: ${verdict.app ? `${app(verdict.app)} started, then crashed` : 'the firmware crashed while starting'} (${verdict.detail}).`,
        nextStep: 'The firmware has a bug or does not suit this board. Download the console log for its developer, and install the previous release meanwhile.',
      };
    case 'brownout':
      return {
        outcome: 'failed',
        title: 'Did not boot: the supply voltage dropped too low (brownout) and the chip reset itself.',
        nextStep: `Plug the board into another USB port or a powered hub, use a shorter cable or give the board its own supply; ${RESET}.`,
      };
    case 'boot-loop':
      return {
        outcome: 'failed',
        title: `Did not boot: the board keeps restarting (${verdict.resets} resets in a row${verdict.app ? ` after starting ${app(verdict.app)}` : ''}, no crash message).`,
        nextStep: 'A watchdog or the app itself resets it. Read the last console lines before each "rst:" line, check the power supply and the app\'s settings for this board.',
      };
    case 'download-mode':
      return {
        outcome: 'failed',
        title: 'Did not boot: the chip stayed in download mode, waiting for firmware.',
        nextStep: `Release the BOOT button (or whatever holds IO0 low), ${RESET}.`,
      };
    case 'no-output':
      return {
        outcome: 'unknown',
        title: `No verdict: the board printed nothing in the ${context.watchedSeconds} s after the reset.`,
        nextStep: `Check that the console baud rate (${context.consoleBaud}) is the app's (ESP-IDF's default is 115200) and that the app's console is on this USB port; ${RESET}.`,
      };
    case 'unreadable':
      return {
        outcome: 'unknown',
        title: `No verdict: what the board printed is unreadable at ${context.consoleBaud} baud.`,
        nextStep: `Set the console baud rate to the app's (ESP-IDF's default is 115200), ${RESET}.`,
      };
    case 'unrecognised':
      return {
        outcome: 'unknown',
        title: "No verdict: the board printed text, but not ESP-IDF's start-up lines, so FieldFlash cannot tell which app runs.",
        nextStep: 'Read the console to see whether the app does what it should.',
      };
  }
}
