// Step 4's last word: did the board start the app that was written? Green only when it did.
import { flashState, useWatched } from './flash-state.ts';

export function BootPanel() {
  const boot = useWatched(flashState.boot);
  if (!boot) return null;
  if (boot.status === 'watching') {
    return (
      <div role="status" aria-label="Boot result" class="boot-verdict boot-verdict--watching" data-outcome="watching">
        <p class="boot-verdict__title">Watching the board start (up to {boot.seconds} s)…</p>
        <p>The verdict comes from what the board prints on its console, not from the write.</p>
      </div>
    );
  }
  return (
    <div role="status" aria-label="Boot result" class={`boot-verdict boot-verdict--${boot.outcome}`} data-outcome={boot.outcome}>
      <p class="boot-verdict__title">{boot.title}</p>
      <p>{boot.nextStep}</p>
    </div>
  );
}
