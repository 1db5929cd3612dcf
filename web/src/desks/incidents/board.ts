/** The incident board: columns by state, and the live merge of `incidents.*` events. */
import type { IncidentItem, IncidentState } from "../../api/incidents";

/** The board's columns, in order; closed incidents leave the board. */
export const BOARD_COLUMNS: readonly IncidentState[] = ["new", "dispatched", "en_route", "on_scene", "on_hold", "resolved"];

const STATES: ReadonlySet<string> = new Set([...BOARD_COLUMNS, "closed"]);

function time(value: string | null | undefined): number {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? 0 : at;
}

/** Within a column: most urgent priority first, then the longest waiting. */
export function compareIncidents(a: IncidentItem, b: IncidentItem): number {
  return a.priority - b.priority || time(a.received_at) - time(b.received_at) || a.id - b.id;
}

export function groupByState(items: readonly IncidentItem[]): Record<IncidentState, IncidentItem[]> {
  const groups = { new: [], dispatched: [], en_route: [], on_scene: [], on_hold: [], resolved: [], closed: [] } as Record<IncidentState, IncidentItem[]>;
  for (const item of items) groups[item.state]?.push(item);
  for (const state of Object.keys(groups) as IncidentState[]) groups[state].sort(compareIncidents);
  return groups;
}

export interface IncidentChange {
  id: number;
  state: IncidentState;
  priority?: number;
  category?: string;
  number?: string;
  area?: string | null;
}

/** The fields of an IncidentChanged payload; null for anything else (notes, malformed). */
export function parseIncidentChange(payload: Record<string, unknown>): IncidentChange | null {
  const id = payload.incident_id;
  const state = payload.state;
  if (typeof id !== "number" || typeof state !== "string" || !STATES.has(state)) return null;
  const change: IncidentChange = { id, state: state as IncidentState };
  if (typeof payload.priority === "number") change.priority = payload.priority;
  if (typeof payload.category === "string") change.category = payload.category;
  if (typeof payload.number === "string") change.number = payload.number;
  if ("area" in payload) change.area = typeof payload.area === "string" ? payload.area : null;
  return change;
}

/**
 * Applies one change: a closed incident leaves the board, a known one takes the new state at once (its
 * `allowed` list is refreshed by the caller's reload), an unknown one is reported as `missing` to be fetched.
 */
export function applyIncidentChange(
  items: readonly IncidentItem[],
  change: IncidentChange,
  now: string = new Date().toISOString(),
): { items: IncidentItem[]; missing: number | null } {
  const index = items.findIndex((i) => i.id === change.id);
  if (change.state === "closed") return { items: items.filter((i) => i.id !== change.id), missing: null };
  if (index < 0) return { items: items as IncidentItem[], missing: change.id };
  const current = items[index];
  const updated: IncidentItem = {
    ...current,
    ...change,
    state_changed_at: current.state === change.state ? current.state_changed_at : now,
  };
  return { items: items.map((i, k) => (k === index ? updated : i)), missing: null };
}

/** Inserts or replaces an incident read from the API; a closed one leaves the board. */
export function upsertIncident(items: readonly IncidentItem[], incident: IncidentItem): IncidentItem[] {
  const others = items.filter((i) => i.id !== incident.id);
  return incident.state === "closed" ? others : [...others, incident];
}

/** The incident id in a desk path: /incidents/42 → 42; anything else → null. */
export function incidentIdFromPath(pathname: string): number | null {
  const match = /^\/incidents\/(\d+)\/?$/.exec(pathname);
  return match ? Number(match[1]) : null;
}

/** `user:5` → user, `unit:PC-01` → PC-01, `system:dispatch` → system. */
export function describeActor(actor: string): { kind: "user" | "unit" | "system" | "other"; ref: string } {
  const [kind, ...rest] = actor.split(":");
  const ref = rest.join(":");
  if (kind === "user" || kind === "unit" || kind === "system") return { kind, ref };
  return { kind: "other", ref: actor };
}

export interface BoardFilter {
  /** Text in the number, address, description or category name (case-insensitive). */
  text: string;
  category: string | null;
  /** Only priorities 1..this; null: all. */
  maxPriority: number | null;
}

export const NO_BOARD_FILTER: BoardFilter = { text: "", category: null, maxPriority: null };

/** The incidents the board shows under a filter; `categoryNames` lets the text match a category by its name. */
export function filterBoard(items: readonly IncidentItem[], filter: BoardFilter, categoryNames: Record<string, string> = {}): IncidentItem[] {
  const words = filter.text.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((i) => {
    if (filter.category !== null && i.category !== filter.category) return false;
    if (filter.maxPriority !== null && i.priority > filter.maxPriority) return false;
    if (words.length === 0) return true;
    const haystack = [i.number, i.address, i.area, i.description, categoryNames[i.category] ?? i.category]
      .filter(Boolean).join(" ").toLocaleLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** The board's cards in reading order (column by column, as sorted): what j/k step through. */
export function boardOrder(items: readonly IncidentItem[]): IncidentItem[] {
  const groups = groupByState(items);
  return BOARD_COLUMNS.flatMap((state) => groups[state]);
}
