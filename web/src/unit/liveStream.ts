import { useEffect, useEffectEvent, useSyncExternalStore } from "react";
import { EventStream, defaultStreamUrl, type EventStreamSnapshot } from "../live/eventStream";
import type { LiveEvent } from "../live/types";

/**
 * The unit app's own event stream: the same hub class as the desks', narrowed on the server
 * (`?events=`) to what a crew's screen reacts to (and the SIMULATION banner) — no GPS tracker traffic
 * (`units.moved`) on a phone.
 */
export const UNIT_EVENT_PREFIXES = [
  "units.assignment_changed",
  "units.status_changed",
  "incidents.",
  "simulation.",
] as const;

export function unitStreamUrl(loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${defaultStreamUrl(loc)}&events=${encodeURIComponent(UNIT_EVENT_PREFIXES.join(","))}`;
}

export const unitStream = new EventStream({ url: () => unitStreamUrl(), bufferSize: 50 });

export function useUnitStream(): EventStreamSnapshot {
  return useSyncExternalStore(unitStream.subscribe, unitStream.getSnapshot, unitStream.getSnapshot);
}

/** Calls `handler` (its latest version) for each new event while the component is mounted. */
export function useUnitEventHandler(handler: (event: LiveEvent) => void): void {
  const onEvent = useEffectEvent(handler);
  useEffect(() => unitStream.onEvent((event) => onEvent(event)), []);
}
