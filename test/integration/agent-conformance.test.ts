// `npm run conformance` against a freshly started reference agent: every check passes, the last line is the
// summary and the exit status is 0. Against a device that drops its CORS headers, the same checks fail and say so.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../packages/conformance/src/index.ts';
import { deviceDir, PASSWORD } from './agent-support.ts';
import { privateKeyPem, publisherKey, trustedKeysDir } from './signed-release-support.ts';

const AGENT = fileURLToPath(new URL('../../packages/agent/src/cli.ts', import.meta.url));
const SUITE = fileURLToPath(new URL('../../packages/conformance/src/cli.ts', import.meta.url));
const numbers = (pick: (check: (typeof CHECKS)[number]) => boolean): number[] => CHECKS.flatMap((check, i) => (pick(check) ? [i + 1] : []));
/** Agent and suite read the pairing secret from the environment, as outside a demo. */
const withSecret = { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD };
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of servers.splice(0)) server.close();
});

function startAgent(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT, '--dir', deviceDir(), '--port', '0', ...args], { env: withSecret, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
  });
}

function runSuite(url: string, ...args: string[]): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SUITE, url, ...args], { env: withSecret, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, lines: out.trim().split('\n') })));
}

/** A device whose replies lose their CORS headers on the way: what a web page could never talk to. */
function corsStrippingProxy(target: string): Promise<string> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !name.startsWith('access-control-')));
      res.writeHead(reply.statusCode ?? 502, headers as Record<string, string>);
      reply.pipe(res);
    });
    req.pipe(upstream);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('conformance suite', () => {
  it('passes every check against the reference agent started with --test-hooks and --compat', async () => {
    const url = await startAgent('--test-hooks', '--compat', '--version', '1.2.0', '--sequence', '3', '--security-version', '1');
    const { code, lines } = await runSuite(url);
    // Each failure with the reason printed under it.
    const failures = lines.flatMap((line, i) => (/ FAIL /.test(line) ? [`${line.trim()} — ${lines[i + 1]?.trim() ?? ''}`] : []));
    expect(failures).toEqual([]);
    // A device with --compat takes no signed releases (§4.9): those checks are skipped, with the reason.
    const signed = numbers((check) => check.needs === 'signed-releases');
    expect(lines.join('\n')).toContain('skipped: the device does not list the capability signed-releases');
    expect(lines.at(-1)).toBe(`${CHECKS.length - signed.length} passed, 0 failed`);
    expect(code).toBe(0);
  }, 60_000);

  it('passes every check against an agent with --trusted-keys, given --signing-key: offers are signed, and §4.9 is checked', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const url = await startAgent('--test-hooks', '--trusted-keys', trustedKeysDir(dir, key), '--version', '1.2.0', '--sequence', '3', '--security-version', '1');
    const { code, lines } = await runSuite(url, '--signing-key', privateKeyPem(dir, key));
    const failures = lines.flatMap((line, i) => (/ FAIL /.test(line) ? [`${line.trim()} — ${lines[i + 1]?.trim() ?? ''}`] : []));
    expect(failures).toEqual([]);
    const signed = numbers((check) => check.needs === 'signed-releases');
    expect(lines.filter((line) => / ok {3}§4\.9 /.test(line))).toHaveLength(signed.length);
    // Only the compatibility uploads are skipped: such a device does not offer them.
    const compat = numbers((check) => check.needs?.startsWith('compat-') === true);
    expect(lines.at(-1)).toBe(`${CHECKS.length - compat.length} passed, 0 failed`);
    expect(code).toBe(0);
  }, 90_000);

  it('skips the signed-release checks with the reason when no --signing-key is given', async () => {
    const dir = deviceDir();
    const url = await startAgent('--trusted-keys', trustedKeysDir(dir, await publisherKey()));
    const signed = numbers((check) => check.needs === 'signed-releases');
    const { code, lines } = await runSuite(url, '--only', signed.join(','));
    expect(lines.join('\n')).toContain('the device installs signed releases only and no --signing-key was given');
    expect(lines.filter((line) => / skip /.test(line))).toHaveLength(signed.length);
    expect(lines.join('\n')).toContain('skipped: no --signing-key was given');
    expect(lines.at(-1)).toBe('0 passed, 0 failed');
    expect(code).toBe(0);
  }, 30_000);

  it('an unknown option is a usage error, not a stack trace', async () => {
    const { code, lines } = await runSuite('http://127.0.0.1:9', '--signing-kee', 'x.pem');
    expect(code).toBe(2);
    expect(lines[0]).toMatch(/^Unknown option '--signing-kee'/);
    expect(lines).toContain('Usage: npm run conformance -- URL [--password-file FILE] [options]');
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('skips the checks that need test hooks, with the reason, on a device without them', async () => {
    const url = await startAgent();
    const hooked = numbers((check) => check.needs === 'test-hooks');
    const { code, lines } = await runSuite(url, '--only', hooked.join(','));
    expect(lines.filter((line) => / skip /.test(line))).toHaveLength(hooked.length);
    expect(lines.join('\n')).toContain('skipped: the device does not list the capability test-hooks');
    expect(lines.at(-1)).toBe('0 passed, 0 failed');
    expect(code).toBe(0);
  }, 30_000);

  it('fails, with a non-zero exit, a device whose replies carry no CORS headers', async () => {
    const url = await corsStrippingProxy(await startAgent());
    const cors = numbers((check) => check.section === '7.1' || check.section === '7.2');
    const { code, lines } = await runSuite(url, '--only', ['1', ...cors].join(','));
    expect(lines.join('\n')).toMatch(/ FAIL §7\.1 .*\n.*Access-Control-Allow-Origin is null/);
    expect(lines.join('\n')).toMatch(/ FAIL §7\.2 /);
    expect(lines.at(-1)).toBe(`1 passed, ${cors.length} failed`);
    expect(code).toBe(1);
  }, 30_000);
});
