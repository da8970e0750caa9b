// Crash points for the kill -9 tests: FIELDFLASH_AGENT_CRASH_AT=journal-write:3 kills the agent with SIGKILL the
// third time it reaches the point named journal-write. Several points may be listed, separated by commas.
// Points: chunk (a chunk written, not yet fsynced or acknowledged), journal-write (a new journal fsynced to its
// temp file, not yet renamed), commit (a verified image renamed into its slot, journal not yet updated),
// reboot (the test boot journaled, the health check not yet run).
const wanted = new Map<string, number>();
for (const entry of (process.env.FIELDFLASH_AGENT_CRASH_AT ?? '').split(',')) {
  const [name, count] = entry.trim().split(':');
  if (name) wanted.set(name, Math.max(1, Number(count ?? 1) || 1));
}
const reached = new Map<string, number>();

export function crashPoint(name: string): void {
  const at = wanted.get(name);
  if (at === undefined) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  if (count === at) {
    process.stderr.write(`crash point ${name}:${count} reached: killing the agent\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
