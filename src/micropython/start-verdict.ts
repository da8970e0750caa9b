// After an install and a soft reset: did the entry module start? Read from what the board prints between
// "MPY: soft reboot" and the REPL's banner (an app that ends) or the end of the watch (an app that keeps running).
// Lines the FieldFlash agent prints ("fieldflash: …") are its own, told apart from the application's.

export type StartOutcome = 'started' | 'crashed' | 'silent';

export interface StartVerdict {
  outcome: StartOutcome;
  /** One sentence for the person at the bench. */
  title: string;
  /** What the entry module printed (first lines), or the traceback. */
  detail: string;
  /** What the FieldFlash agent said as the board started, when it is installed. */
  agent?: string;
}

const AGENT_LINE = /^fieldflash: /;

const SOFT_REBOOT = 'MPY: soft reboot';
const BANNER = /^MicroPython v\S+ on [^\n]*\n(Type "help\(\)" for more information\.\n)?/m;
const TRACEBACK = /Traceback \(most recent call last\):\n((?:  [^\n]*\n)*)([^\n]+)/;

/** True once the console shows enough to judge: the REPL came back, or a traceback ended. */
export function startSettled(console: string): boolean {
  const after = afterReboot(normalise(console));
  return after !== undefined && (BANNER.test(after) || TRACEBACK.test(after));
}

export function judgeStart(console: string, entry: string): StartVerdict {
  const verdict = judgeOutput(console, entry);
  const after = afterReboot(normalise(console)) ?? '';
  const banner = BANNER.exec(after);
  const lines = (banner ? after.slice(0, banner.index) : after).split('\n');
  const agent = lines.filter((l) => AGENT_LINE.test(l)).map((l) => l.replace(AGENT_LINE, '').trim());
  return agent.length > 0 ? { ...verdict, agent: agent.join('\n') } : verdict;
}

function judgeOutput(console: string, entry: string): StartVerdict {
  const module = `${entry.split('.').join('/')}.py`;
  const after = afterReboot(normalise(console));
  if (after === undefined) {
    return { outcome: 'silent', title: `The board did not restart after the install, so ${module} was not seen starting.`, detail: '' };
  }
  const banner = BANNER.exec(after);
  const output = banner ? after.slice(0, banner.index) : after;
  const traceback = TRACEBACK.exec(output);
  if (traceback) {
    const frames = [...traceback[1]!.matchAll(/File "([^"]+)", line (\d+)/g)];
    const last = frames[frames.length - 1];
    const where = last ? ` (${last[1]}, line ${last[2]})` : '';
    return {
      outcome: 'crashed',
      title: `${module} started but stopped with an error: ${traceback[2]!.trim()}${where}.`,
      detail: output.slice(traceback.index).trim(),
    };
  }
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !AGENT_LINE.test(l));
  if (lines.length === 0) {
    return {
      outcome: 'silent',
      title: banner ? `${module} ran and printed nothing; the REPL is back.` : `${module} printed nothing yet.`,
      detail: '',
    };
  }
  return {
    outcome: 'started',
    title: `${module} started: “${lines[0]}”${banner ? ' (it ended; the REPL is back).' : ' (still running).'}`,
    detail: lines.slice(0, 5).join('\n'),
  };
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function afterReboot(text: string): string | undefined {
  const at = text.lastIndexOf(SOFT_REBOOT);
  return at < 0 ? undefined : text.slice(at + SOFT_REBOOT.length).replace(/^\n/, '');
}
