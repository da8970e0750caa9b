// The demo devices `npm start` runs: the simulated ESP32 points at the first one, and the second one's health check
// follows its switch file, whatever the path holds, as /bin/sh runs it on the agent.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DEFAULT_SIMULATED_WIFI } from '../../packages/esp-emulator/src/index.ts';
import { DEMO_PORTS, switchableHealthCheck } from '../../scripts/demo-agents.ts';

test('the simulated ESP32 reports the first demo device, where the README says it is', () => {
  expect(DEFAULT_SIMULATED_WIFI.deviceUrl).toBe(`http://127.0.0.1:${DEMO_PORTS[0]}/`);
});

test("the second device's health check passes without its switch file and fails with the reason while it exists", () => {
  const dir = mkdtempSync(join(tmpdir(), "fieldflash demo 'quoted' $HOME "));
  const path = join(dir, 'fail-health-check');
  try {
    const check = switchableHealthCheck(path, 'shown/fail-health-check');
    execFileSync('/bin/sh', ['-c', check]);
    writeFileSync(path, '');
    const failed = spawnSync('/bin/sh', ['-c', check], { encoding: 'utf8' });
    expect(failed.status).toBe(3);
    expect(failed.stderr).toBe('sensor bus not found (the demo fails this check while shown/fail-health-check exists)\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});
