// Every check, in the order they run.
import type { Check } from '../harness.ts';
import { applyLaterChecks } from './apply-later.ts';
import { authChecks } from './auth.ts';
import { bootChecks } from './boot.ts';
import { compatChecks } from './hardening-compat.ts';
import { inputChecks } from './hardening-input.ts';
import { sessionAttackChecks } from './hardening-sessions.ts';
import { identityChecks } from './identity.ts';
import { lockoutChecks } from './lockout.ts';
import { offerChecks } from './offers.ts';
import { requestMacChecks } from './request-mac.ts';
import { requestChecks } from './requests.ts';
import { sessionChecks } from './sessions.ts';
import { signedReleaseChecks } from './signed-releases.ts';
import { transferChecks } from './transfer.ts';
import { webrtcChecks } from './webrtc.ts';

export const CHECKS: Check[] = [
  ...identityChecks,
  ...requestChecks,
  ...authChecks,
  ...requestMacChecks,
  ...lockoutChecks,
  ...offerChecks,
  ...transferChecks,
  ...sessionChecks,
  ...webrtcChecks,
  ...inputChecks,
  ...sessionAttackChecks,
  ...compatChecks,
  ...bootChecks,
  ...applyLaterChecks,
  ...signedReleaseChecks,
];
