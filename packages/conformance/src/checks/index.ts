// Every check, in the order they run. The rate limit runs last: it locks authentication for up to a minute.
import type { Check } from '../harness.ts';
import { authChecks, rateLimitCheck } from './auth.ts';
import { bootChecks } from './boot.ts';
import { identityChecks } from './identity.ts';
import { offerChecks } from './offers.ts';
import { requestChecks } from './requests.ts';
import { sessionChecks } from './sessions.ts';
import { transferChecks } from './transfer.ts';
import { webrtcChecks } from './webrtc.ts';

export const CHECKS: Check[] = [...identityChecks, ...requestChecks, ...authChecks, ...offerChecks, ...transferChecks, ...sessionChecks, ...webrtcChecks, ...bootChecks, rateLimitCheck];
