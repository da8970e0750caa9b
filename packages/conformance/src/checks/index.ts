// Every check, in the order they run. The rate limit runs last: it locks authentication for up to a minute.
import type { Check } from '../harness.ts';
import { authChecks, rateLimitCheck } from './auth.ts';
import { bootChecks } from './boot.ts';
import { compatChecks } from './hardening-compat.ts';
import { inputChecks } from './hardening-input.ts';
import { sessionChecks } from './hardening-sessions.ts';
import { identityChecks } from './identity.ts';
import { offerChecks } from './offers.ts';
import { transferChecks } from './transfer.ts';
import { webrtcChecks } from './webrtc.ts';

export const CHECKS: Check[] = [...identityChecks, ...authChecks, ...offerChecks, ...transferChecks, ...webrtcChecks, ...inputChecks, ...sessionChecks, ...compatChecks, ...bootChecks, rateLimitCheck];
