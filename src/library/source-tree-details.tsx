// The details of a source-tree build: what runs it, where it starts, what the device keeps, and every file of the tree
// as it lands on the device.
import type { Build, SourceTree } from '@fieldflash/bundle';
import { entryFiles, runtimeLabel, sourceTreeFiles, VERSION_FILE } from '@fieldflash/bundle/source-tree';
import type { StoredFileInfo } from '../store/index.ts';
import { formatBytes, targetLabel } from './format.ts';

/** The short form people compare by eye, as git shows commits; the whole digest is in the title and the Files table. */
const SHORT_DIGEST = 12;

export const SOURCE_TREE_INSTALL = 'A MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board.';

export function SourceTreeSection({ build, tree, files }: { build: Build; tree: SourceTree; files: readonly StoredFileInfo[] }) {
  const target = targetLabel(build.target);
  // By path, as a file manager lists a folder: a folder's files arrive in whatever order the system gave them.
  const treeFiles = sourceTreeFiles(files, tree).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = treeFiles.reduce((n, f) => n + f.size, 0);
  const entry = entryFiles(tree.entry).find((p) => treeFiles.some((f) => f.path === p)) ?? entryFiles(tree.entry)[0];
  return (
    <section class="details-section" aria-label={`Source tree for ${target}`}>
      <h3>Source tree for {target}</h3>
      <p>{SOURCE_TREE_INSTALL}</p>
      <dl class="facts">
        <dt>Runtime</dt>
        <dd>{build.target.runtime ? runtimeLabel(build.target.runtime) : 'not named'}</dd>
        <dt>Tree in the release</dt>
        <dd>{tree.root ? `${tree.root}/` : 'the release\'s root folder'}</dd>
        <dt>Starts</dt>
        <dd>
          module {tree.entry} ({entry})
        </dd>
        <dt>Device-local, never overwritten</dt>
        <dd>{tree.deviceLocal.length > 0 ? tree.deviceLocal.join(', ') : 'none'}</dd>
        <dt>Version record</dt>
        <dd>{VERSION_FILE} on the device, written when the tree is installed</dd>
      </dl>
      <p>
        {treeFiles.length} {treeFiles.length === 1 ? 'file' : 'files'}, {formatBytes(total)}.
      </p>
      <table class="data-table">
        <caption>Files of the source tree</caption>
        <thead>
          <tr>
            <th scope="col">Path on the device</th>
            <th scope="col">Size</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {treeFiles.map((f) => (
            <tr key={f.path}>
              <td>{f.path}</td>
              <td>{formatBytes(f.size)}</td>
              <td>
                <code class="sha256" title={f.sha256}>
                  {f.sha256.slice(0, SHORT_DIGEST)}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
