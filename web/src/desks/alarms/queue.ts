/**
 * The alarm queue as the desk keeps it: open alarms ordered by priority (1 first), then oldest first,
 * updated from the live `alarms.*` events without reloading.
 */
import type { AlarmAction, AlarmItem, AlarmState } from "../../api/alarms";

export const ALARM_EVENT_PREFIX = "alarms.";

/** Events after which an alarm asks for attention again (a beep when it sounds). */
export const ATTENTION_EVENTS: ReadonlySet<string> = new Set(["alarms.raised", "alarms.repeated", "alarms.escalated"]);

function time(value: string | null | undefined): number {
  const at = value ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}

/** Priority ascending (1 is the most urgent), then the first signal's age (oldest first), then id. */
export function compareAlarms(a: AlarmItem, b: AlarmItem): number {
  return a.priority - b.priority || time(a.first_at) - time(b.first_at) || a.id - b.id;
}

export function sortQueue(items: readonly AlarmItem[]): AlarmItem[] {
  return items.filter((a) => a.state !== "resolved").sort(compareAlarms);
}

export function allowedFor(state: AlarmState): AlarmAction[] {
  if (state === "new") return ["acknowledge"];
  if (state === "acknowledged") return ["resolve"];
  return [];
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

const STATES: readonly AlarmState[] = ["new", "acknowledged", "resolved"];

/** The fields of an `alarms.*` payload (AlarmChanged); null when it is not one. */
export function parseAlarmChange(payload: Record<string, unknown>): Partial<AlarmItem> & { id: number; state: AlarmState } | null {
  const id = num(payload.alarm_id);
  const state = payload.state as AlarmState;
  if (id === null || !STATES.includes(state)) return null;
  const change: Partial<AlarmItem> & { id: number; state: AlarmState } = { id, state };
  const priority = num(payload.priority);
  if (priority !== null) change.priority = priority;
  const level = num(payload.escalation_level);
  if (level !== null) change.escalation_level = level;
  const count = num(payload.count);
  if (count !== null) change.count = count;
  for (const key of ["kind", "rule", "procedure", "incident_category", "device_code", "site_code", "first_at", "last_at",
    "acknowledged_at", "resolved_at", "restored_at"] as const) {
    if (key in payload) (change as Record<string, unknown>)[key] = str(payload[key]);
  }
  if ("lon" in payload) change.lon = num(payload.lon);
  if ("lat" in payload) change.lat = num(payload.lat);
  if (typeof payload.simulated === "boolean") change.simulated = payload.simulated;
  if ("acknowledged_by" in payload) change.acknowledged_by = num(payload.acknowledged_by);
  return change;
}

/**
 * Applies one live alarm event to the queue: a resolved alarm leaves it, a known one is updated, an unknown
 * open one is added (with `sounds` from the desk's sound limit). Returns the same array when nothing changed.
 */
export function mergeAlarmEvent(
  queue: readonly AlarmItem[],
  payload: Record<string, unknown>,
  soundMaxPriority: number,
): AlarmItem[] {
  const change = parseAlarmChange(payload);
  if (!change) return queue as AlarmItem[];
  const index = queue.findIndex((a) => a.id === change.id);
  if (change.state === "resolved") {
    return index < 0 ? (queue as AlarmItem[]) : queue.filter((a) => a.id !== change.id);
  }
  const base: AlarmItem =
    index >= 0
      ? queue[index]
      : {
          // An alarm first seen in an event: what the event does not say is empty until the queue is reloaded.
          id: change.id,
          state: change.state,
          priority: change.priority ?? 255,
          sounds: false,
          escalation_level: 0,
          escalated_at: null,
          rule: "",
          kind: change.kind ?? "",
          signal: "",
          event_name: "",
          procedure: null,
          incident_category: null,
          auto_incident: false,
          device_code: null,
          site_code: null,
          lon: null,
          lat: null,
          details: {},
          count: 1,
          first_at: change.first_at ?? new Date().toISOString(),
          last_at: change.last_at ?? change.first_at ?? new Date().toISOString(),
          restored_at: null,
          acknowledged_at: null,
          acknowledged_by: null,
          acknowledged_by_name: null,
          resolved_at: null,
          resolved_by: null,
          resolution: null,
          resolution_note: null,
          simulated: false,
          allowed: [],
        };
  // Events may arrive out of order: never move an acknowledged alarm back to new.
  const state: AlarmState = base.state === "acknowledged" && change.state === "new" ? "acknowledged" : change.state;
  const merged: AlarmItem = { ...base, ...(change as Partial<AlarmItem>), id: base.id, state } as AlarmItem;
  merged.first_at = merged.first_at ?? base.first_at;
  merged.last_at = merged.last_at ?? base.last_at;
  merged.kind = merged.kind ?? base.kind;
  merged.sounds = merged.priority <= soundMaxPriority;
  merged.allowed = allowedFor(state);
  const next = index >= 0 ? queue.map((a, i) => (i === index ? merged : a)) : [...queue, merged];
  return sortQueue(next);
}

/** Replaces one alarm with the server's answer (after acknowledge/resolve); a resolved one leaves the queue. */
export function replaceAlarm(queue: readonly AlarmItem[], alarm: AlarmItem): AlarmItem[] {
  const others = queue.filter((a) => a.id !== alarm.id);
  return alarm.state === "resolved" ? others : sortQueue([...others, alarm]);
}

/** Colour of a priority band: 1–5 red, 6–20 orange, 21–50 yellow, the rest blue. */
export function priorityColor(priority: number): "red" | "orange" | "yellow" | "blue" {
  if (priority <= 5) return "red";
  if (priority <= 20) return "orange";
  if (priority <= 50) return "yellow";
  return "blue";
}

/** Whether a live event should beep: an attention event for an unacknowledged alarm within the sound limit. */
export function shouldSound(eventName: string, payload: Record<string, unknown>, soundMaxPriority: number): boolean {
  if (!ATTENTION_EVENTS.has(eventName)) return false;
  const change = parseAlarmChange(payload);
  return !!change && change.state === "new" && (change.priority ?? 255) <= soundMaxPriority;
}

/** The next selection after the queue changed: keep it while present, else the first alarm still new, else the top. */
export function keepSelection(queue: readonly AlarmItem[], selected: number | null): number | null {
  if (selected !== null && queue.some((a) => a.id === selected)) return selected;
  return queue.find((a) => a.state === "new")?.id ?? queue[0]?.id ?? null;
}

/** Moves the selection up or down the queue. */
export function stepSelection(queue: readonly AlarmItem[], selected: number | null, delta: 1 | -1): number | null {
  if (queue.length === 0) return null;
  const index = queue.findIndex((a) => a.id === selected);
  if (index < 0) return queue[0].id;
  return queue[Math.min(queue.length - 1, Math.max(0, index + delta))].id;
}
