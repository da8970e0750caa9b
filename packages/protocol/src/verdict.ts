// Waiting for the device's verdict after reboot (docs/protocol.md §5): the new image confirmed itself, or the
// device rolled back. Only the device's own document says which; the client reads it until it does.

import { sleep } from './throttle.ts';
import { LinkError } from './transport.ts';
import type { UpdateSession } from './update-messages.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateRun } from './update-run.ts';
import type { UpdateVerdict } from './update-options.ts';

export async function waitForVerdict(run: UpdateRun, session: UpdateSession): Promise<UpdateVerdict> {
  const { options } = run;
  run.progress.report({ phase: 'waiting' });
  const deadline = Date.now() + (options.verdictTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    try {
      const device = await run.link.readDevice();
      const last = device.lastUpdate;
      if (last && last.sha256 !== session.sha256) {
        // Another client committed its image over ours before the test boot (§5): ours will never boot.
        throw new UpdateError(`Another update (${last.version}) replaced ${options.release.version} on the device before it booted; the device now reports that one. Run the update again if ${options.release.version} is still wanted.`);
      }
      if (last && last.sha256 === session.sha256 && last.outcome !== 'pending') {
        const verdict: UpdateVerdict = { outcome: last.outcome, sha256: last.sha256, version: last.version, slot: session.slot, device };
        if (last.reason !== undefined) verdict.reason = last.reason;
        return verdict;
      }
    } catch (err) {
      if (!(err instanceof LinkError)) throw err; // rebooting devices refuse connections for a while
    }
    await sleep(250, options.signal);
  }
  throw new UpdateError(
    `The device did not report whether ${options.release.version} booted within ${Math.round((options.verdictTimeoutMs ?? 120_000) / 1000)} s. Check it is powered and on the network; its device document will say.`,
  );
}
