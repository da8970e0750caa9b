// The console's text as a person reads it, however the port splits the bytes into reads.
import { describe, expect, it } from 'vitest';
import { ConsoleText } from '../../src/serial/serial-monitor.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('ConsoleText', () => {
  it('reads "\\r\\n" split across two reads as one line end', () => {
    const console = new ConsoleText();
    const shown = ['Type "help()" for more information.\r', '\n>>> '].map((chunk) => console.push(bytes(chunk))).join('');
    expect(shown).toBe('Type "help()" for more information.\n>>> ');
  });

  it('turns a lone "\\r" into a line end once the next read shows it is not "\\r\\n"', () => {
    const console = new ConsoleText();
    expect(console.push(bytes('progress 50%\r'))).toBe('progress 50%');
    expect(console.push(bytes('progress 100%\r\n'))).toBe('\nprogress 100%\n');
  });
});
