// The demo MicroPython application: "Bench Sensor", a source-tree release in two versions, for trying the MicroPython
// path (install it with the agent over USB, then update it over the LAN). main.py reads a sensor the board does not
// have (a fixed reading), prints one line and confirms a test boot through the agent when the agent runs; lib/ holds
// its modules, one of a few KiB that both versions share, so an update sends only what changed. env.py, the board's
// own settings, is never part of a release. Same bytes on every run.
import type { SigningKey } from '../packages/bundle/src/index.ts';
import { packRelease } from '../packages/release/src/pack-release.ts';

export const MICROPYTHON_APP_PRODUCT = 'Bench Sensor';
export const MICROPYTHON_APP_VERSIONS = ['1.0.0', '1.1.0'] as const;
export type MicroPythonAppVersion = (typeof MICROPYTHON_APP_VERSIONS)[number];
export const MICROPYTHON_APP_MIN_VERSION = '1.22.0';

export const microPythonAppZipName = (version: string): string => `bench-sensor-${version}.zip`;

/** The tree as it lands on the board, by path. */
export function microPythonAppTree(version: MicroPythonAppVersion): Record<string, string> {
  const reading = version === '1.0.0' ? "'21.5 C'" : "'21.5 C, 48 % RH'";
  const history = Array.from({ length: 150 }, (_, i) => `    (${i * 60}, ${(20 + (i % 7) * 0.5).toFixed(1)}),`);
  return {
    'main.py': `# Bench Sensor ${version}: FieldFlash's demo application for MicroPython.
from lib import readings
from lib.sensor import read

try:
    import env
    PLACE = env.PLACE
except (ImportError, AttributeError):  # env.py is the board's own file; without one the board sits on the bench
    PLACE = 'the bench'

print('Bench Sensor ${version} reads %s on %s - %d readings kept' % (read(), PLACE, len(readings.HISTORY)))

try:
    import fieldflash
except ImportError:  # installed without the agent, or on a board with no network
    fieldflash = None
if fieldflash is not None:
    fieldflash.confirm()  # it runs well: an update's test boot is confirmed
`,
    'lib/sensor.py': `# The sensor: none is wired to the demo board, so it reads a fixed value.
def read():
    return ${reading}
`,
    'lib/readings.py': `# The last readings as (seconds, degrees C): enough text that copying it takes a moment.\nHISTORY = [\n${history.join('\n')}\n]\n`,
  };
}

export async function buildMicroPythonAppRelease(version: MicroPythonAppVersion, key?: SigningKey): Promise<{ name: string; zip: Uint8Array; id: string }> {
  const encoder = new TextEncoder();
  const files = Object.entries(microPythonAppTree(version)).map(([path, text]) => ({ path: `src/${path}`, data: encoder.encode(text), role: 'source' as const }));
  const { release, zip } = await packRelease({
    product: MICROPYTHON_APP_PRODUCT,
    version,
    sequence: MICROPYTHON_APP_VERSIONS.indexOf(version) + 1,
    securityVersion: 0,
    releaseNotes: version === '1.0.0' ? 'Reads the temperature.' : 'Reads the humidity too.',
    targets: [{ runtime: { name: 'micropython', minVersion: MICROPYTHON_APP_MIN_VERSION }, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } }],
    files,
  }, microPythonAppZipName(version), key);
  return { name: microPythonAppZipName(version), zip, id: release.id };
}
