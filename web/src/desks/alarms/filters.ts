/** The alarm desk's filters on the open queue (priority, kind, site, state) and an alarm's age as it ticks. */
import type { AlarmItem, AlarmState } from "../../api/alarms";

export interface AlarmFilter {
  /** Only priorities 1..this; null: all. */
  maxPriority: number | null;
  kind: string | null;
  site: string | null;
  state: AlarmState | null;
}

export const NO_FILTER: AlarmFilter = { maxPriority: null, kind: null, site: null, state: null };

/** The priority bands the filter offers (their upper bounds), as the queue colours them. */
export const PRIORITY_BANDS: readonly number[] = [5, 20, 50];

export function matchesFilter(alarm: AlarmItem, filter: AlarmFilter): boolean {
  return (
    (filter.maxPriority === null || alarm.priority <= filter.maxPriority) &&
    (filter.kind === null || alarm.kind === filter.kind) &&
    (filter.site === null || alarm.site_code === filter.site) &&
    (filter.state === null || alarm.state === filter.state)
  );
}

export function filterQueue(queue: readonly AlarmItem[], filter: AlarmFilter): AlarmItem[] {
  return queue.filter((alarm) => matchesFilter(alarm, filter));
}

export function isFiltered(filter: AlarmFilter): boolean {
  return Object.values(filter).some((value) => value !== null);
}

/** The kinds and sites present in the queue, sorted: what the filter's choices are. */
export function filterChoices(queue: readonly AlarmItem[]): { kinds: string[]; sites: string[] } {
  const kinds = new Set<string>();
  const sites = new Set<string>();
  for (const alarm of queue) {
    if (alarm.kind) kinds.add(alarm.kind);
    if (alarm.site_code) sites.add(alarm.site_code);
  }
  return { kinds: [...kinds].sort(), sites: [...sites].sort() };
}

/** How long ago, compact and ticking: "45 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". Future times read 0 s. */
export function formatAge(since: string, now: number): string {
  const at = Date.parse(since);
  if (Number.isNaN(at)) return "—";
  const s = Math.max(0, Math.floor((now - at) / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
