// Checks and how they run: each names the protocol section it tests, passes, fails with what the device did, or
// is skipped with the reason (a capability the device does not list, a state it cannot be brought into).
import type { SigningKey } from '@fieldflash/bundle';
import type { DeviceDocument } from '@fieldflash/protocol';
import type { Image, Probe, Reply } from './probe.ts';

export interface Context {
  probe: Probe;
  /** The device document read at the start of this check. */
  doc: DeviceDocument;
  /** A unique client id for this check (checks never share holds by accident). */
  clientId(role?: string): string;
  /** The image to boot in checks that reboot: --image, or random bytes. */
  bootImage(): Image;
  /** The size of images for transfer checks: a few chunks and a tail. */
  transferSize: number;
  /** How long to wait for a verdict after reboot. */
  verdictTimeoutMs: number;
  /** The HTTP Basic user of the compatibility endpoints (§7.4); the password is the pairing password. */
  compatUser: string;
  /** --signing-key: a key the device trusts, for the checks of signed releases (§4.9). */
  signingKey?: SigningKey;
}

export interface Check {
  /** docs/protocol.md section, e.g. "4.3". */
  section: string;
  title: string;
  /** A capability the device must list, or the check is skipped. */
  needs?: string;
  run(ctx: Context): Promise<void>;
}

export class Skip extends Error {}

export class CheckFailure extends Error {}

export function fail(message: string): never {
  throw new CheckFailure(message);
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

function shown(reply: Reply): string {
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  return `${reply.status} ${body === undefined ? '(no body)' : body.length > 240 ? `${body.slice(0, 240)}…` : body}`;
}

/** The error body's fields, if the reply is a protocol refusal. */
export function refusal(reply: Reply): Record<string, unknown> & { code?: string; message?: string } {
  const error = (reply.body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown> & { code?: string; message?: string }) : {};
}

/** Asserts a refusal with this status and code, and a sentence for people. */
export function expectRefusal(reply: Reply, status: number, code: string, what: string): Record<string, unknown> {
  const error = refusal(reply);
  if (reply.status !== status || error.code !== code) fail(`${what}: expected ${status} ${code}, got ${shown(reply)}`);
  assert(typeof error.message === 'string' && error.message.length > 0, `${what}: the ${code} refusal has no message for people`);
  return error;
}

export function expectStatus(reply: Reply, status: number, what: string): unknown {
  if (reply.status !== status) fail(`${what}: expected ${status}, got ${shown(reply)}`);
  return reply.body;
}

export interface Outcome {
  number: number;
  check: Check;
  result: 'passed' | 'failed' | 'skipped';
  detail?: string;
  ms: number;
}

export async function runChecks(checks: Check[], makeContext: () => Promise<Context>, report: (outcome: Outcome) => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const [index, check] of checks.entries()) {
    const started = Date.now();
    let outcome: Outcome;
    try {
      const ctx = await makeContext();
      if (check.needs && !ctx.doc.capabilities.includes(check.needs)) throw new Skip(`the device does not list the capability ${check.needs}`);
      await check.run(ctx);
      outcome = { number: index + 1, check, result: 'passed', ms: Date.now() - started };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      outcome = { number: index + 1, check, result: error instanceof Skip ? 'skipped' : 'failed', detail, ms: Date.now() - started };
    }
    outcomes.push(outcome);
    report(outcome);
  }
  return outcomes;
}
