import { useEffect, useEffectEvent, useState } from "react";
import type { EventStream } from "../live/eventStream";
import {
  INITIAL_STATE,
  RECHECK_MS,
  applyEvent,
  applyStatus,
  fetchSimulationStatus,
  type SimulationState,
} from "./status";

/**
 * Whether a simulation runs now: asked once, then kept live from `simulation.started` / `simulation.ended`
 * on the given event stream, and asked again every 30 s and whenever the stream reconnects (events sent
 * while it was down are not replayed).
 */
export function useSimulationStatus(stream: EventStream): SimulationState {
  const [state, setState] = useState<SimulationState>(INITIAL_STATE);
  /** The epoch of the state rendered last, read when a check starts. */
  const currentEpoch = useEffectEvent(() => state.epoch);

  useEffect(() => {
    let disposed = false;
    let controller: AbortController | null = null;

    const check = () => {
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      const requestedAt = currentEpoch();
      fetchSimulationStatus({ signal: mine.signal })
        .then((body) => {
          if (!disposed) setState((current) => applyStatus(current, body, requestedAt));
        })
        .catch(() => undefined); // offline or signed out: keep what we know, the next check retries
    };

    const offEvent = stream.onEvent((event) => {
      if (event.name.startsWith("simulation.")) setState((current) => applyEvent(current, event));
    });
    let lastState = stream.getSnapshot().state;
    const offState = stream.subscribe(() => {
      const now = stream.getSnapshot().state;
      if (now === "open" && lastState !== "open") check();
      lastState = now;
    });
    check();
    const timer = setInterval(check, RECHECK_MS);
    return () => {
      disposed = true;
      controller?.abort();
      clearInterval(timer);
      offEvent();
      offState();
    };
  }, [stream]);

  return state;
}
