export { startAgent, type RunningAgent } from './agent.ts';
export { type AgentConfig, AGENT_VERSION, DEFAULTS } from './config.ts';
export { readJournal, type Journal, type SlotName } from './journal.ts';
export { sha256OfFile } from './slot-store.ts';
