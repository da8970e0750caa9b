// The crash campaigns, in the order `npm run campaign` runs them.
import { agentKills } from './agent-kills.ts';
import { cablePulls } from './cable-pulls.ts';
import { micropythonPower } from './micropython-power.ts';
import { pageSide } from './page-side.ts';
import type { Campaign } from './lib/campaign.ts';

export const CAMPAIGNS: readonly Campaign[] = [agentKills, micropythonPower, cablePulls, pageSide];
