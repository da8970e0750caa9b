// Everything the library knows about one release: files, flash layout, OTA slots, what the images say.
import { useEffect, useRef } from 'preact/hooks';
// Light entry points only: the details open in the first-loaded library, and the bundle reader loads lazily.
import type { Build, EspImageInfo, PartitionTable } from '@fieldflash/bundle';
import { describeOffsetOrigin } from '@fieldflash/bundle/offset-origin';
import { BUILD_TIME_ORDER_LABEL } from '@fieldflash/bundle/release-order';
import { isSourceTreeRelease } from '@fieldflash/bundle/source-tree';
import { hrefFor } from '../routes.ts';
import { TrustDetails } from '../trust/trust-label.tsx';
import type { ReleaseSummary, StoredFileInfo } from '../store/index.ts';
import { formatBytes, formatDate, hexOffset, targetLabel } from './format.ts';
import { releaseName, verificationOf } from './release-facts.ts';
import { SourceTreeSection } from './source-tree-details.tsx';

const ROLES: Record<StoredFileInfo['role'], string> = {
  bootloader: 'Bootloader',
  'partition-table': 'Partition table',
  app: 'Application',
  data: 'Data',
  'ota-data': 'OTA data',
  source: 'Source file',
  manifest: 'Manifest',
  signature: 'Signature',
  other: 'Other',
};

function Sha({ value }: { value: string }) {
  return <code class="sha256">{value}</code>;
}

function BuildSection({ build, files }: { build: Build; files: Map<string, StoredFileInfo> }) {
  if (build.sourceTree) return <SourceTreeSection build={build} tree={build.sourceTree} files={[...files.values()]} />;
  const target = targetLabel(build.target);
  return (
    <section class="details-section" aria-label={`Build for ${target}`}>
      <h3>Build for {target}</h3>
      {build.target.hardwareRevision && <p>Hardware revisions: {build.target.hardwareRevision}</p>}
      {build.flash && (
        <>
          <p>
            First install: {build.flash.erase === 'all' ? 'erases the whole chip, then writes' : 'erases and writes only these parts'}
            {build.flash.flashSize ? `; needs ${formatBytes(build.flash.flashSize)} of flash` : ''}
            {build.flash.flashMode ? `; flash mode ${build.flash.flashMode}` : ''}
            {build.flash.flashFreq ? `; flash frequency ${build.flash.flashFreq}` : ''}.
          </p>
          <table class="data-table">
            <caption>Flash parts for {target}</caption>
            <thead>
              <tr>
                <th scope="col">Offset</th>
                <th scope="col">File</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Offset from</th>
              </tr>
            </thead>
            <tbody>
              {build.flash.parts.map((part) => {
                const file = files.get(part.path);
                return (
                  <tr key={`${part.offset}-${part.path}`}>
                    <td>
                      <code>{hexOffset(part.offset)}</code>
                    </td>
                    <td>{part.path}</td>
                    <td>{file ? formatBytes(file.size) : '—'}</td>
                    <td>{file ? <Sha value={file.sha256} /> : '—'}</td>
                    <td class={part.origin?.from === 'assumed' ? 'offset-origin offset-origin--assumed' : 'offset-origin'}>
                      {part.origin ? describeOffsetOrigin(part.origin) : 'not recorded'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {build.ota && (
        <dl class="facts" aria-label={`OTA slots for ${target}`}>
          {build.ota.kind === 'per-slot' ? (
            <>
              <dt>OTA slot 0</dt>
              <dd>{build.ota.slot0}</dd>
              <dt>OTA slot 1</dt>
              <dd>{build.ota.slot1}</dd>
            </>
          ) : (
            <>
              <dt>OTA, either slot</dt>
              <dd>{build.ota.image}</dd>
            </>
          )}
        </dl>
      )}
      {!build.flash && !build.ota && <p>This build declares neither a flash layout nor OTA images.</p>}
    </section>
  );
}

function ImageFacts({ path, image }: { path: string; image: EspImageInfo }) {
  return (
    <section class="details-section" aria-label={`Image ${path}`}>
      <h3>{image.app ? 'Application' : image.bootloader ? 'Bootloader' : 'Image'}: {path}</h3>
      <dl class="facts">
        {image.app && (
          <>
            <dt>Project name</dt>
            <dd>{image.app.projectName}</dd>
            <dt>App version</dt>
            <dd>{image.app.version}</dd>
            <dt>ESP-IDF version</dt>
            <dd>{image.app.idfVersion}</dd>
            <dt>Secure version</dt>
            <dd>{image.app.secureVersion}</dd>
            <dt>Build date</dt>
            <dd>
              {image.app.date} {image.app.time}
            </dd>
            <dt>ELF SHA-256 (first 8 bytes)</dt>
            <dd>
              <code>{image.app.elfSha256}</code>
            </dd>
          </>
        )}
        {image.bootloader && (
          <>
            <dt>Bootloader ESP-IDF version</dt>
            <dd>{image.bootloader.idfVersion}</dd>
            <dt>Bootloader built</dt>
            <dd>{image.bootloader.dateTime}</dd>
          </>
        )}
        <dt>Chip in image header</dt>
        <dd>{image.chipFamily ?? `unknown (chip id ${image.chipId})`}</dd>
        <dt>Flash size in header</dt>
        <dd>{image.flashSize ? formatBytes(image.flashSize) : 'not a known size'}</dd>
        <dt>Flash mode in header</dt>
        <dd>{image.flashMode}</dd>
        <dt>Image checksum</dt>
        <dd>{image.checksumValid ? 'valid' : 'INVALID'}</dd>
      </dl>
    </section>
  );
}

function PartitionTableFacts({ path, table }: { path: string; table: PartitionTable }) {
  return (
    <table class="data-table">
      <caption>
        Partition table in {path}
        {table.md5Valid === false ? ' (its MD5 does not match)' : table.md5Valid ? ' (MD5 checked)' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Type</th>
          <th scope="col">Subtype</th>
          <th scope="col">Offset</th>
          <th scope="col">Size</th>
          <th scope="col">Flags</th>
        </tr>
      </thead>
      <tbody>
        {table.partitions.map((p) => (
          <tr key={`${p.offset}-${p.label}`}>
            <td>{p.label}</td>
            <td>{p.type}</td>
            <td>{p.subtype}</td>
            <td>
              <code>{hexOffset(p.offset)}</code>
            </td>
            <td>{formatBytes(p.size)}</td>
            <td>{[p.encrypted && 'encrypted', p.readonly && 'read-only'].filter(Boolean).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReleaseDetails({ release, onClose }: { release: ReleaseSummary; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const files = new Map(release.files.map((f) => [f.path, f]));
  const name = releaseName(release);
  return (
    <dialog ref={dialog} class="release-details" aria-labelledby="details-heading" onClose={onClose}>
      <header class="release-details__header">
        <h2 id="details-heading">{name}</h2>
        {/* A source tree is not flashed as an image; its section says how it is installed. */}
        {!isSourceTreeRelease(release) && (
          <a class="button button--primary" href={hrefFor('flash', { release: release.id })} aria-label={`Flash ${name}`}>
            Flash
          </a>
        )}
        <button type="button" class="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <dl class="facts">
        <dt>Declared version</dt>
        <dd>{release.declaredVersion}</dd>
        {release.versionOrder === 'build-time' && (
          <>
            <dt>Version order</dt>
            <dd>
              {BUILD_TIME_ORDER_LABEL} ({release.builtAt ? `built ${release.builtAt.replace('T', ' ')}` : 'build time unknown: listed last'})
            </dd>
          </>
        )}
        <dt>Format</dt>
        <dd>{release.format}</dd>
        <dt>Imported from</dt>
        <dd>{release.sourceName}</dd>
        {release.source && (
          <>
            <dt>Fetched from</dt>
            <dd>
              <code>{release.source.url}</code> on {formatDate(release.source.fetchedAt)}
            </dd>
          </>
        )}
        {release.manifestPath && (
          <>
            <dt>Manifest</dt>
            <dd>{release.manifestPath}</dd>
          </>
        )}
        <dt>Added</dt>
        <dd>{formatDate(release.addedAt)}</dd>
        <dt>Integrity</dt>
        <dd>{verificationOf(release)}</dd>
        {release.sequence !== undefined && (
          <>
            <dt>Sequence</dt>
            <dd>{release.sequence}</dd>
          </>
        )}
        {release.securityVersion !== undefined && (
          <>
            <dt>Security version</dt>
            <dd>{release.securityVersion}</dd>
          </>
        )}
        {release.appliesTo !== undefined && (
          <>
            <dt>Applies to</dt>
            <dd>devices running {release.appliesTo}</dd>
          </>
        )}
        <dt>Signature</dt>
        <dd>
          <TrustDetails release={release} />
          {release.signature && (
            <>
              {' '}
              ({release.signature.algorithm}, key {release.signature.keyId}, {release.signature.path})
            </>
          )}
        </dd>
      </dl>
      {release.notes.length > 0 && (
        <ul class="notes" aria-label="Notes">
          {release.notes.map((note, i) => (
            <li key={i} class={`note note--${note.level}`}>
              {note.message}
            </li>
          ))}
        </ul>
      )}
      {release.builds.map((build, i) => (
        <BuildSection key={i} build={build} files={files} />
      ))}
      <table class="data-table">
        <caption>Files</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Role</th>
            <th scope="col">Size</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {release.files.map((file) => (
            <tr key={file.path}>
              <td>{file.path}</td>
              <td>{ROLES[file.role]}</td>
              <td>{formatBytes(file.size)}</td>
              <td>
                <Sha value={file.sha256} />
                {file.digestDeclared && <span class="sha256__declared"> (matches manifest)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {release.files.filter((f) => f.image && (f.image.app || f.image.bootloader)).map((f) => (
        <ImageFacts key={f.path} path={f.path} image={f.image!} />
      ))}
      {release.files.map((f) => f.partitionTable && <PartitionTableFacts key={`pt-${f.path}`} path={f.path} table={f.partitionTable} />)}
      {release.files.flatMap((f) =>
        (f.embedded ?? []).map((part) => (
          <section key={`${f.path}@${part.offset}`} class="details-section" aria-label={`Inside ${f.path} at ${hexOffset(part.offset)}`}>
            {part.image && <ImageFacts path={`${f.path} at ${hexOffset(part.offset)}`} image={part.image} />}
            {part.partitionTable && <PartitionTableFacts path={`${f.path} at ${hexOffset(part.offset)}`} table={part.partitionTable} />}
          </section>
        )),
      )}
    </dialog>
  );
}
