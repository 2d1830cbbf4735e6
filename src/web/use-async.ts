/** Loads data for a page: value, problem, and reload; optionally again every pollMs (live status without SSE). */
import { useCallback, useEffect, useRef, useState } from 'react';
import { problemOf, type ApiProblem } from './api/problem.js';

export interface Async<T> {
  value: T | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Async<T> {
  const [value, setValue] = useState<T>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (v) => {
        if (!live) return;
        setValue(v);
        setProblem(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setProblem(problemOf(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { value, problem, loading, reload };
}
