// How much room the library takes, and asking the browser to keep it.
import { useEffect, useState } from 'preact/hooks';
import { requestPersistentStorage, storageUsage, subscribeLibrary, type StorageUsage } from '../store/index.ts';
import { formatBytes } from './format.ts';

type PersistAnswer = 'granted' | 'refused' | 'failed' | undefined;

export function StoragePanel() {
  const [usage, setUsage] = useState<StorageUsage | undefined>(undefined);
  const [answer, setAnswer] = useState<PersistAnswer>(undefined);

  useEffect(() => {
    let current = true;
    const refresh = () => void storageUsage().then((u) => current && setUsage(u));
    refresh();
    const unsubscribe = subscribeLibrary(refresh);
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);

  const askToKeep = async () => {
    try {
      const granted = await requestPersistentStorage();
      setAnswer(granted ? 'granted' : 'refused');
      setUsage(await storageUsage());
    } catch {
      setAnswer('failed');
    }
  };

  const persisted = usage?.persisted ?? false;
  return (
    <section class="storage-panel" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage on this device</h2>
      <p>
        {usage?.usage === undefined
          ? 'This browser does not say how much storage FieldFlash uses.'
          : `${formatBytes(usage.usage)} used${usage.quota ? ` of ${formatBytes(usage.quota)} available to FieldFlash` : ''}.`}
      </p>
      {persisted ? (
        <p>The browser keeps this data on this device even when disk space runs low.</p>
      ) : (
        <>
          <p>The browser may clear stored releases when disk space runs low, unless you ask it to keep them.</p>
          <button type="button" class="button" onClick={() => void askToKeep()}>
            Keep data on this device
          </button>
        </>
      )}
      <p role="status" class="storage-panel__answer">
        {answer === 'granted' && 'Done: the browser will keep FieldFlash data on this device.'}
        {answer === 'refused' &&
          'The browser did not agree to keep the data for good. Installing FieldFlash as an app (or bookmarking it) usually makes it agree; try again afterwards.'}
        {answer === 'failed' && 'This browser cannot be asked to keep the data.'}
      </p>
    </section>
  );
}
