import { render } from 'preact';
import { App } from './app.tsx';
import { startServiceWorker } from './sw-bridge/index.ts';
import { consumeLaunchedFiles } from './library/launch-files.ts';

render(<App />, document.getElementById('app')!);
consumeLaunchedFiles();
// Only the development server has hot reloading, and it has no built service worker. Any build registers it,
// whatever NODE_ENV the build ran under (Vitest sets "test").
if (!import.meta.hot) void startServiceWorker();
