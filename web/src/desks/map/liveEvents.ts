/** The map's events tab: which events it lists and what it folds. Pure (unit-tested under Node). */
import type { LiveEvent } from "../../live/types";

/**
 * Position reports: a crew's tracker reports every few seconds, which would push everything else off the list.
 * The map shows them as the unit's marker moving; the list only counts them.
 */
export const POSITION_EVENTS: ReadonlySet<string> = new Set(["units.moved", "ingest.gps_fix"]);

export function foldPositions(events: readonly LiveEvent[]): { shown: LiveEvent[]; positions: number } {
  const shown: LiveEvent[] = [];
  let positions = 0;
  for (const event of events) {
    if (POSITION_EVENTS.has(event.name)) positions += 1;
    else shown.push(event);
  }
  return { shown, positions };
}

/** The translation key of an event's name (`alarms.raised` → `events.names.alarms.raised`). */
export function eventNameKey(name: string): string {
  return `events.names.${name}`;
}
