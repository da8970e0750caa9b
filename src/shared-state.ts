// A value several components watch (import progress, service worker status), with a Preact hook to read it.
import { useEffect, useState } from 'preact/hooks';

export class SharedState<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get(): T {
    return this.#value;
  }

  set(value: T): void {
    this.#value = value;
    for (const listener of [...this.#listeners]) listener(value);
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

/** Re-renders the component whenever the shared value changes. */
export function useSharedState<T>(state: SharedState<T>): T {
  const [value, setValue] = useState(() => state.get());
  useEffect(() => {
    setValue(state.get());
    return state.subscribe(setValue);
  }, [state]);
  return value;
}
