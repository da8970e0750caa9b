// The app shell: name, navigation between views, the status area. Views live in their own folders.
import { LibraryView } from './library/library-view.tsx';
import { LazyView } from './lazy-view.tsx';
import { StatusArea } from './sw-bridge/index.ts';
import { VIEWS, hrefFor, useCurrentView } from './routes.ts';
import './app.css';

// A dynamic import keeps esptool-js out of the first load; the service worker still precaches the chunk.
const loadFlashView = () => import('./flash/flash-view.tsx').then((m) => m.FlashView);
const loadDevicesView = () => import('./devices/devices-view.tsx').then((m) => m.DevicesView);
const loadSettingsView = () => import('./settings/settings-view.tsx').then((m) => m.SettingsView);

function CurrentView({ view }: { view: ReturnType<typeof useCurrentView> }) {
  if (view === 'flash') return <LazyView load={loadFlashView} name="Flash" />;
  if (view === 'devices') return <LazyView load={loadDevicesView} name="Devices" />;
  if (view === 'settings') return <LazyView load={loadSettingsView} name="Settings" />;
  return <LibraryView />;
}

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
      <main class="app-main">
        <CurrentView view={view} />
      </main>
    </div>
  );
}
