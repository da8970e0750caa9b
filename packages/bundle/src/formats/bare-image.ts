// A bundle without a manifest: one ESP app image (or one merged flash image). Chip family comes from the
// image header's chip id, product and version from the app description.
import { BundleError } from '../errors.ts';
import type { LoadedFile } from '../loaded-file.ts';
import type { ReleaseDraft } from '../release-draft.ts';
import { APP_OFFSET } from '../layout-checks.ts';

export function readBareImage(file: LoadedFile): ReleaseDraft | undefined {
  const mergedApp = file.embedded?.find((p) => p.role === 'app' && p.image?.app);
  const image = mergedApp?.image ?? file.image;
  const app = image?.app;
  if (!image || !app) return undefined;
  const chipFamily = image.chipFamily;
  if (!chipFamily) {
    throw new BundleError('unknown-chip-family', `${file.path} is an ESP image for chip id ${image.chipId}, which FieldFlash does not know.`, {
      file: file.path,
      hint: 'Check that this is firmware for an ESP32-family chip, or import it with a manifest that names the chip family.',
    });
  }
  const common = {
    format: 'bare-image' as const,
    product: app.projectName,
    declaredVersion: app.version,
    versionSource: `the app description in ${file.path}`,
    securityVersion: app.secureVersion,
    files: [{ path: file.path, field: file.path, role: mergedApp ? ('other' as const) : ('app' as const) }],
  };
  if (mergedApp) {
    return {
      ...common,
      builds: [{ target: { chipFamily }, flash: { parts: [{ path: file.path, offset: 0, origin: { from: 'merged-image' } }], erase: 'all' }, field: file.path }],
      notes: [{ level: 'info', message: `${file.path} is a merged flash image (bootloader, partition table and app); it is written at 0x0 after erasing the chip.` }],
    };
  }
  return {
    ...common,
    builds: [{ target: { chipFamily }, flash: { parts: [{ path: file.path, offset: APP_OFFSET, origin: { from: 'assumed', why: 'no manifest; ESP-IDF\'s usual app offset' } }], erase: 'parts' }, ota: { kind: 'either', image: file.path }, field: file.path }],
    notes: [
      {
        level: 'warning',
        message: `${file.path} came without a manifest: a first install writes it at 0x${APP_OFFSET.toString(16)} and relies on the bootloader and partition table already on the device.`,
      },
    ],
  };
}
