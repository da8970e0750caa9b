// The app shell: name, navigation between views, the status area. Views live in their own folders.
import { LibraryView } from './library/library-view.tsx';
import { LazyView } from './lazy-view.tsx';
import { StatusArea } from './sw-bridge/index.ts';
import { VIEWS, hrefFor, useCurrentView } from './routes.ts';
import './app.css';

// A dynamic import keeps esptool-js out of the first load; the service worker still precaches the chunk.
const loadFlashView = () => import('./flash/flash-view.tsx').then((m) => m.FlashView);

export function App() {
  const view = useCurrentView();
  return (
    <div class="app">
      <header class="app-header">
        <h1 class="app-header__name">FieldFlash</h1>
        <nav aria-label="Views" class="app-nav">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.id}>
                <a href={hrefFor(v.id)} aria-current={view === v.id ? 'page' : undefined}>
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <StatusArea />
      </header>
      <main class="app-main">{view === 'flash' ? <LazyView load={loadFlashView} name="Flash" /> : <LibraryView />}</main>
    </div>
  );
}
