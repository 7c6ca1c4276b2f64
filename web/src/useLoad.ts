// Load something from the API when its inputs change; the previous request is abandoned.

import { useCallback, useLayoutEffect, useState } from "preact/hooks";

import { ApiError } from "./api";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** The API's status of the failure (404 …), when it answered. */
  status: number | null;
  loading: boolean;
  reload: () => void;
}

function describe(error: unknown): { message: string; status: number | null } {
  if (error instanceof ApiError) return { message: error.message, status: error.status };
  return { message: `the server did not answer (${String(error)})`, status: null };
}

export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, inputs: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [failure, setFailure] = useState<{ message: string; status: number | null } | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);

  // A layout effect runs as soon as the view is in the DOM; a plain effect waits for the next
  // frame (up to ~100 ms on a busy machine) before the request even starts.
  useLayoutEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal)
      .then((found) => {
        if (controller.signal.aborted) return;
        setData(found);
        setFailure(null);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setFailure(describe(error));
        setLoading(false);
      });
    return () => controller.abort();
    // `load` is a new closure on every render; `inputs` say when it asks for something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...inputs, attempt]);

  const reload = useCallback(() => setAttempt((count) => count + 1), []);
  return { data, error: failure?.message ?? null, status: failure?.status ?? null, loading, reload };
}
