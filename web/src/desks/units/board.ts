/** The unit board kept live: positions from `units.moved`, statuses from `units.status_changed`. */
import type { UnitItem, UnitStatus } from "../../api/units";
import { UNIT_STATUSES } from "../../api/units";

/** A unit as the desk keeps it: `statusSinceMs` is the local clock's moment the status began. */
export type LiveUnit = UnitItem & { statusSinceMs: number };

export function fromBoard(items: readonly UnitItem[], nowMs: number): LiveUnit[] {
  return items.map((u) => ({ ...u, statusSinceMs: nowMs - Math.max(0, u.time_in_status_s) * 1000 }));
}

/** Seconds in the current status at `nowMs`. */
export function timeInStatus(unit: Pick<LiveUnit, "statusSinceMs">, nowMs: number): number {
  return Math.max(0, (nowMs - unit.statusSinceMs) / 1000);
}

export function applyUnitMoved(units: readonly LiveUnit[], payload: Record<string, unknown>): LiveUnit[] {
  const { code, lon, lat, at } = payload;
  if (typeof code !== "string" || typeof lon !== "number" || typeof lat !== "number") return units as LiveUnit[];
  const index = units.findIndex((u) => u.code === code);
  if (index < 0) return units as LiveUnit[];
  const moved: LiveUnit = {
    ...units[index],
    lon,
    lat,
    position_at: typeof at === "string" ? at : units[index].position_at,
    position_age_s: 0,
    stale: false,
  };
  return units.map((u, i) => (i === index ? moved : u));
}

export function applyStatusChanged(units: readonly LiveUnit[], payload: Record<string, unknown>, nowMs: number): LiveUnit[] {
  const { code, current } = payload;
  if (typeof code !== "string" || !UNIT_STATUSES.includes(current as UnitStatus)) return units as LiveUnit[];
  const index = units.findIndex((u) => u.code === code);
  if (index < 0 || units[index].status === current) return units as LiveUnit[];
  const incident = typeof payload.incident_id === "number" ? payload.incident_id : null;
  const changed: LiveUnit = { ...units[index], status: current as UnitStatus, statusSinceMs: nowMs, incident_id: incident };
  // A unit without an assignment has no dispatch that could stall (the watch only looks at open ones).
  if (incident === null) Object.assign(changed, { flag: null, flagged_at: null });
  return units.map((u, i) => (i === index ? changed : u));
}

export const STATUS_COLORS: Record<UnitStatus, string> = {
  available: "#2f9e44",
  dispatched: "#f08c00",
  en_route: "#fab005",
  on_scene: "#1c7ed6",
  busy: "#9c36b5",
  off_duty: "#868e96",
};

/** Counts per status, every status present (0 when none). */
export function countByStatus(units: readonly Pick<UnitItem, "status">[]): Record<UnitStatus, number> {
  const counts = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<UnitStatus, number>;
  for (const unit of units) if (unit.status in counts) counts[unit.status] += 1;
  return counts;
}

export type StallFlag = NonNullable<UnitItem["flag"]>;
const STALL_FLAGS: ReadonlySet<string> = new Set<StallFlag>(["at_scene_unreported", "not_en_route", "eta_passed"]);

/** A `units.dispatch_flagged` payload: the unit's flag raised (or cleared: null); whether it should sound. */
export function parseDispatchFlagged(payload: Record<string, unknown>): { code: string; flag: StallFlag | null; urgent: boolean; at: string | null } | null {
  const { unit_code: code, flag, urgent, at } = payload;
  if (typeof code !== "string" || (flag !== null && !STALL_FLAGS.has(String(flag)))) return null;
  return { code, flag: flag as StallFlag | null, urgent: urgent === true, at: typeof at === "string" ? at : null };
}

export function applyDispatchFlagged(units: readonly LiveUnit[], payload: Record<string, unknown>): LiveUnit[] {
  const change = parseDispatchFlagged(payload);
  if (!change) return units as LiveUnit[];
  const index = units.findIndex((u) => u.code === change.code);
  if (index < 0 || units[index].flag === change.flag) return units as LiveUnit[];
  const flagged: LiveUnit = { ...units[index], flag: change.flag, flagged_at: change.flag ? change.at : null };
  return units.map((u, i) => (i === index ? flagged : u));
}
