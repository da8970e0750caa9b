// How long the library's list takes to show a change: from the render that a change of releases, filter or
// order starts, to the next frame painted. Recorded as User Timing, so it shows in DevTools' Performance
// panel and tests can read it.
import { useLayoutEffect } from 'preact/hooks';

export const LIST_MEASURE = 'fieldflash:library:list';

/**
 * Call first thing in the list's render; `rows` says how many releases that render shows. Two measures: to the
 * DOM updated (`:commit`), and to the next frame painted (style, layout and paint included).
 */
export function useListTiming(rows: number): void {
  const started = performance.now();
  useLayoutEffect(() => {
    performance.measure(`${LIST_MEASURE}:commit`, { start: started, end: performance.now(), detail: { rows } });
    // Animation frame callbacks run just before the frame paints; a message posted there is handled after it.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        performance.measure(LIST_MEASURE, { start: started, end: performance.now(), detail: { rows } });
      };
      channel.port2.postMessage(undefined);
    });
  });
}
