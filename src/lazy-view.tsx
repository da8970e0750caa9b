// Shows a part whose code loads only when it is first shown: a heavy view (the Flash view brings esptool-js), or a
// part of the library that its first paint does not need (the release details).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { RELOAD_HINT } from './deferred-code.ts';

type Loaded<P> = { component: ComponentType<P> } | { error: string } | undefined;

interface LazyPartProps<P> {
  load: () => Promise<ComponentType<P>>;
  /** Names the part for a person: "Loading the {what}…", "The {what} could not load." */
  what: string;
  props: P;
  /** Nothing shows while the code loads: a dialog simply opens once it can. */
  quiet?: boolean;
}

/** Shows `load`'s component with `props` once its chunk has loaded. */
export function LazyPart<P extends object>({ load, what, props, quiet = false }: LazyPartProps<P>) {
  const [loaded, setLoaded] = useState<Loaded<P>>(undefined);
  useEffect(() => {
    let current = true;
    load().then(
      (component) => current && setLoaded({ component }),
      (error: unknown) => current && setLoaded({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [load]);
  if (!loaded) return quiet ? null : <p class="view-loading">Loading the {what}…</p>;
  if ('error' in loaded) {
    return (
      <div role="alert" class="alert">
        <p class="alert__title">The {what} could not load.</p>
        <p>{loaded.error}</p>
        <p class="alert__hint">{RELOAD_HINT}</p>
      </div>
    );
  }
  const Part = loaded.component;
  return <Part {...props} />;
}

const NO_PROPS = {};

export function LazyView({ load, name }: { load: () => Promise<ComponentType>; name: string }) {
  return <LazyPart load={load} what={`${name} view`} props={NO_PROPS} />;
}
