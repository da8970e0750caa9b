// The crash campaigns of `npm run campaign` (campaign/), a few runs each with a fixed seed, so the campaign code keeps
// working between full runs: every run must survive, and a lost one says which fault it was.
import { describe, expect, it } from 'vitest';
import { agentKills } from '../../campaign/agent-kills.ts';
import { cablePulls } from '../../campaign/cable-pulls.ts';
import { type Campaign, runCampaign } from '../../campaign/lib/campaign.ts';
import { micropythonPower } from '../../campaign/micropython-power.ts';

const SEED = 20_260_501;

async function survives(campaign: Campaign, runs: number): Promise<void> {
  const lines: string[] = [];
  const result = await runCampaign(campaign, { seed: SEED, indexes: [...Array(runs).keys()], log: (line) => lines.push(line) });
  expect({ lost: result.lost, log: lines }).toEqual({ lost: [], log: [] });
  expect(result.survived).toBe(result.runs);
  expect(result.runs).toBe(runs);
}

describe('crash campaigns, a few runs each', () => {
  it('agent kills: the reference agent killed with SIGKILL mid-update restarts valid and completes the update', () => survives(agentKills, 3), 120_000);
  it('MicroPython power cuts: /app holds a whole tree after each cut and the update completes', () => survives(micropythonPower, 2), 180_000);
  it('cable pulls: after each pull the write tried again leaves the flash equal to the release', () => survives(cablePulls, 2), 120_000);
});
