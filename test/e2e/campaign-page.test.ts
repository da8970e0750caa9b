// The page-side crash campaign of `npm run campaign` (campaign/page-side.ts), a few runs with a fixed seed: the LAN
// link cut, the agent killed or the page reloaded mid-update, and each update confirmed on screen in the end.
import { expect, test } from 'vitest';
import { runCampaign } from '../../campaign/lib/campaign.ts';
import { pageSide } from '../../campaign/page-side.ts';

test('page side: every run ends confirmed on screen with the demo image in the active slot', async () => {
  const lines: string[] = [];
  const result = await runCampaign(pageSide, { seed: 20_260_501, indexes: [0, 1], log: (line) => lines.push(line) });
  expect({ lost: result.lost, log: lines }).toEqual({ lost: [], log: [] });
  expect(result.survived).toBe(result.runs);
}, 300_000);
