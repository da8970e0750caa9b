// Loads a heavy view's code only when it is first shown (the Flash view brings esptool-js).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Loaded = { component: ComponentType } | { error: string } | undefined;

export function LazyView({ load, name }: { load: () => Promise<ComponentType>; name: string }) {
  const [loaded, setLoaded] = useState<Loaded>(undefined);
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
  if (!loaded) return <p class="view-loading">Loading the {name} view…</p>;
  if ('error' in loaded) {
    return (
      <div role="alert" class="alert">
        <p class="alert__title">The {name} view could not load.</p>
        <p>{loaded.error}</p>
        <p class="alert__hint">Connect to the network and reload FieldFlash once; after that it works offline.</p>
      </div>
    );
  }
  const View = loaded.component;
  return <View />;
}
