// FieldFlash's demo MicroPython app in two versions, for trying an install over USB without a release of one's
// own: main.py prints a start line, lib/ holds its modules (one of a few KiB, so a copy takes a while), and env.py
// is the board's own settings file, which an install never overwrites. Modules are imported as lib.<name>, so the
// app runs from the board's root and from /app, where the FieldFlash agent keeps it.
import { sha256Hex, type SourceTree, type TreeFile } from './tree-install.ts';

export const DEMO_VERSIONS = ['1.0.0', '1.1.0'] as const;
export type DemoVersion = (typeof DEMO_VERSIONS)[number];

function sources(version: DemoVersion): Record<string, string> {
  const tips = Array.from({ length: 120 }, (_, i) => `    "Field tip ${i + 1} of 120 (demo ${version}): label the board before you flash it.",`);
  return {
    'main.py': `# FieldFlash demo app ${version}
import env
from lib.greeting import greet
from lib import messages

print(greet(env.BOARD_NAME, "${version}"), "-", len(messages.TIPS), "tips loaded")
`,
    'lib/greeting.py': `def greet(board, version):
    return "FieldFlash demo app " + version + " started on " + board
`,
    'lib/messages.py': `# Text the app shows, long enough that copying it takes a moment.\nTIPS = [\n${tips.join('\n')}\n]\n`,
    'env.py': `# This board's own settings: FieldFlash never overwrites this file.\nBOARD_NAME = "bench board"\n`,
  };
}

export async function demoTree(version: DemoVersion): Promise<SourceTree> {
  const encoder = new TextEncoder();
  const files: TreeFile[] = await Promise.all(
    Object.entries(sources(version)).map(async ([path, text]) => {
      const data = encoder.encode(text);
      return { path, data, sha256: await sha256Hex(data) };
    }),
  );
  return { label: `Demo app ${version}`, version, files, deviceLocal: ['env.py'], entry: 'main' };
}
