// The worker thread's entry: TypeScript through tsx's loader, then the board itself (board-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./board-worker.ts');
