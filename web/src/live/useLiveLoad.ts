import { useCallback, useEffect, useRef, useState } from "react";
import { useEventStream } from "./hooks";

export type Change<S> = (current: S) => S;

/** The changes made while a load is under way, to apply again on top of what it loads (see `useLiveLoad`). */
export class ChangesDuringLoad<S> {
  private pending: Change<S>[] | null = null;

  /** A load starts: it alone collects from now on (an earlier one still running is superseded). */
  begin(): Change<S>[] {
    const collected: Change<S>[] = [];
    this.pending = collected;
    return collected;
  }

  /** A change was made now: remembered while a load is under way. */
  record(change: Change<S>): void {
    this.pending?.push(change);
  }

  /** The load that began with `collected` ended: its state with the changes made meanwhile, in order. */
  finish(collected: Change<S>[], loaded: S): S {
    if (this.pending === collected) this.pending = null;
    return collected.reduce((current, change) => change(current), loaded);
  }

  /** The load that began with `collected` failed or was abandoned. */
  drop(collected: Change<S>[]): void {
    if (this.pending === collected) this.pending = null;
  }
}

/**
 * State loaded from the API when a desk opens and again whenever the event stream (re)connects, and kept current
 * by the desk's changes (`update`: live events, answers of the desk's own requests).
 *
 * A load races the stream: its answer may have been read before a change that arrives while the answer is on its
 * way, and would overwrite it (an alarm raised during a load stayed missing until the next reconnect). So every
 * change made while a load is under way is applied again on top of the loaded state. A change older than the
 * answer may set something back for a moment; the events after it, which the stream delivers in order, set it
 * right.
 */
export function useLiveLoad<S>(initial: S, load: (signal: AbortSignal) => Promise<S>): {
  value: S;
  error: unknown;
  update: (change: Change<S>) => void;
} {
  const { state } = useEventStream();
  const [value, setValue] = useState<S>(initial);
  const [error, setError] = useState<unknown>(null);
  // Whether a load succeeded: afterwards only a (re)connection reloads. A ref, so that loading does not rerun the effect.
  const loadedRef = useRef(false);
  const [duringLoad] = useState(() => new ChangesDuringLoad<S>());
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  }, [load]);

  useEffect(() => {
    if (state !== "open" && loadedRef.current) return;
    const controller = new AbortController();
    const collected = duringLoad.begin();
    loadRef
      .current(controller.signal)
      .then((loaded) => {
        loadedRef.current = true;
        setValue(duringLoad.finish(collected, loaded));
        setError(null);
      })
      .catch((e: unknown) => {
        duringLoad.drop(collected);
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [state, duringLoad]);

  const update = useCallback((change: Change<S>) => {
    setValue(change);
    duringLoad.record(change);
  }, [duringLoad]);

  return { value, error, update };
}
