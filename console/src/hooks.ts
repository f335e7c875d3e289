import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; value: T };

/**
 * Runs a load, again when deps change, and every `pollMs` (new data appears
 * without a reload); `reload` runs it now. Results of a superseded run are dropped.
 * Polling pauses while the tab is hidden (no requests nobody reads) and
 * loads at once when it is shown again.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  pollMs?: number,
): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const run = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(() => {
    const mine = ++run.current;
    loader.current().then(
      (value) => {
        if (mine === run.current) setResult({ state: 'ready', value });
      },
      (error: unknown) => {
        if (mine === run.current) setResult({ state: 'error', message: (error as Error).message });
      },
    );
  }, []);
  useEffect(() => {
    setResult({ state: 'loading' });
    reload();
    if (!pollMs) return;
    const tick = () => {
      if (!document.hidden) reload();
    };
    const onVisible = () => {
      if (!document.hidden) reload();
    };
    const timer = setInterval(tick, pollMs);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, deps);
  return [result, reload];
}
