import { Alert } from "@mantine/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";

/**
 * Loads with `load` on mount, when `key` changes (e.g. a search text) and on `reload()`; a newer load supersedes
 * one still in flight.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key = "") {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    const controller = new AbortController();
    latest.current(controller.signal)
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((cause: unknown) => {
        if (!controller.signal.aborted) setError(cause);
      });
    return () => controller.abort();
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, reload, setData };
}

/** A failed request, in words from the server's problem (translated) or a generic message. */
export function ErrorLine({ error }: { error: unknown }) {
  const { tMaybe } = useI18n();
  if (error === null || error === undefined) return null;
  return (
    <Alert color="red" py={4} data-testid="admin-error">
      {describeError(error, tMaybe).message}
    </Alert>
  );
}

/** Runs a write, keeping its failure for display and its busy state for the buttons. */
export function useAction() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (cause) {
      setError(cause);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run, setError };
}
