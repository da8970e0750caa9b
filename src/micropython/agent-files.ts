// The FieldFlash agent for MicroPython as FieldFlash carries it: every .py file of agents/micropython/fieldflash,
// bundled at build time (so an install works offline, from the precached app), and the board's main.py that starts
// the agent and then the application. Loaded only when someone installs the agent.
import boardMain from '../../agents/micropython/board/main.py?raw';

const AGENT_DIR = '../../agents/micropython/fieldflash/';
const sources = import.meta.glob('../../agents/micropython/fieldflash/**/*.py', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export interface AgentSource {
  /** Where it goes on the board: "lib/fieldflash/agent.py". */
  path: string;
  text: string;
}

/** The agent's package, as `mpremote cp -r agents/micropython/fieldflash :lib/` would put it, in a stable order. */
export const AGENT_PACKAGE: readonly AgentSource[] = Object.entries(sources)
  .map(([path, text]) => ({ path: `lib/fieldflash/${path.slice(AGENT_DIR.length)}`, text }))
  .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** The board's main.py: the agent, then the application in /app. */
export const BOARD_MAIN: AgentSource = { path: 'main.py', text: boardMain };
