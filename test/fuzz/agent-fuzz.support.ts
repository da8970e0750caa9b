// Runs a fuzz campaign against one agent process and reports its counts per outcome.
import fc from 'fast-check';
import { AgentFuzzer, type AgentUnderTest } from './agent-runner.ts';
import { agentCase } from './agent-messages.ts';
import { SEED, Tally } from './fuzz-size.ts';

export async function fuzzAgent(agent: AgentUnderTest, password: string, cases: number, boundMs: number): Promise<Tally> {
  const tally = new Tally(agent.name, 'requests');
  const fuzzer = new AgentFuzzer(agent, tally, boundMs, password);
  const started = performance.now();
  await fuzzer.start();
  const batch = 200;
  try {
    for (let done = 0; done < cases; done += batch) {
      for (const c of fc.sample(agentCase, { seed: SEED + done, numRuns: Math.min(batch, cases - done) })) await fuzzer.runCase(c);
    }
  } finally {
    fuzzer.close();
    process.stdout.write(`fuzz ${agent.name}: ${cases} cases (message sequences)\n${tally.report((performance.now() - started) / 1000)}`);
  }
  return tally;
}
