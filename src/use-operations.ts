// The running operations, for components that must behave differently while one runs.
import { useEffect, useState } from 'preact/hooks';
import { runningOperations, subscribeOperations, type RunningOperation } from './operations.ts';

export function useRunningOperations(): readonly RunningOperation[] {
  const [operations, setOperations] = useState(runningOperations);
  useEffect(() => subscribeOperations(setOperations), []);
  return operations;
}
