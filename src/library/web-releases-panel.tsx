// Releases from the web, kept for the site: add one by its address at the office, check later for newer versions.
import { AddFromUrlForm } from './add-from-url-form.tsx';
import { NewerVersionsPanel } from './newer-versions-panel.tsx';
import { useLibrary } from './use-library.ts';
import './web-releases.css';

export function WebReleasesPanel() {
  const library = useLibrary();
  return (
    <section class="web-releases" aria-labelledby="web-releases-heading">
      <h2 id="web-releases-heading">Add from the web</h2>
      <AddFromUrlForm />
      <NewerVersionsPanel releases={library.state === 'ready' ? library.releases : []} />
    </section>
  );
}
