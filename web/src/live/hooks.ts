import { useEffect, useRef, useSyncExternalStore } from "react";
import { eventStream, type EventStreamSnapshot } from "./eventStream";
import type { LiveEvent } from "./types";

/** Re-renders on every change of the hub (state, events, heartbeat). */
export function useEventStream(): EventStreamSnapshot {
  return useSyncExternalStore(eventStream.subscribe, eventStream.getSnapshot, eventStream.getSnapshot);
}

/** Calls `handler` for each new event while the component is mounted. */
export function useLiveEventHandler(handler: (event: LiveEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => eventStream.onEvent((event) => ref.current(event)), []);
}
