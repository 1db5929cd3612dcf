import { useEffect, useEffectEvent, useSyncExternalStore } from "react";
import { eventStream, type EventStreamSnapshot } from "./eventStream";
import type { LiveEvent } from "./types";

/** Re-renders on every change of the hub (state, events, heartbeat). */
export function useEventStream(): EventStreamSnapshot {
  return useSyncExternalStore(eventStream.subscribe, eventStream.getSnapshot, eventStream.getSnapshot);
}

/** Calls `handler` (its latest version: it may read the current props and state) for each new event while mounted. */
export function useLiveEventHandler(handler: (event: LiveEvent) => void): void {
  const onEvent = useEffectEvent(handler);
  useEffect(() => eventStream.onEvent((event) => onEvent(event)), []);
}
