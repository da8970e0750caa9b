// ESP-IDF log lines as a default build prints them: coloured level letter, milliseconds since boot, tag.

const COLOURS = { I: '\x1b[0;32m', W: '\x1b[0;33m', E: '\x1b[0;31m' } as const;

export type Level = keyof typeof COLOURS;

export class IdfLog {
  text = '';
  constructor(public ms: number) {}

  line(level: Level, tag: string, message: string, advanceMs = 5): void {
    this.text += `${COLOURS[level]}${level} (${this.ms}) ${tag}: ${message}\x1b[0m\r\n`;
    this.ms += advanceMs;
  }

  raw(text: string): void {
    this.text += text;
  }

  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
}
