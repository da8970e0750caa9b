// Fuzzes the reference agent (packages/agent, started as `npm run agent` runs it) with mutated protocol messages and
// chunk sequences: a specific refusal for each, no crash, no hang, no slot changed.
import { afterAll, describe, expect, it } from 'vitest';
import { deviceDir, PASSWORD, spawnAgent, type AgentProcess } from '../integration/agent-support.ts';
import { fuzzAgent } from './agent-fuzz.support.ts';
import { nodeAgentFiles } from './agent-runner.ts';
import { cases, FULL } from './fuzz-size.ts';

const CASES = cases(300, 20_000);
let agent: AgentProcess | undefined;
afterAll(() => {
  agent?.child.kill('SIGKILL');
});

describe('fuzzing the reference agent', () => {
  it(`answers ${CASES} mutated message sequences with specific refusals, and keeps its slots`, async () => {
    const dir = deviceDir();
    agent = await spawnAgent(dir, 0, ['--chunk-size', '4096', '--window', '4', '--session-ttl', '86400', '--version', '1.2.0', '--sequence', '3', '--security-version', '1']);
    const child = agent.child;
    const tally = await fuzzAgent({ name: 'reference agent', url: agent.url, dir, activeFiles: (doc) => nodeAgentFiles.activeFiles(dir, doc), stateFiles: (doc) => nodeAgentFiles.stateFiles(dir, doc), running: () => child.exitCode === null && child.signalCode === null }, PASSWORD, CASES, 10_000);
    expect(tally.failures).toEqual([]);
  }, FULL ? 3_600_000 : 120_000);
});
