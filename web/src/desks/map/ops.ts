/**
 * The common operating picture's model: open alarms, incidents and units as map items with their colours, the
 * blinking of unacknowledged alarms, the legend and the layer toggles. Pure (unit-tested under Node); the Leaflet
 * side is opsLayer.ts.
 */
import type { AlarmItem } from "../../api/alarms";
import type { IncidentItem, IncidentState } from "../../api/incidents";
import type { UnitItem, UnitStatus } from "../../api/units";
import { UNIT_STATUSES } from "../../api/units";
import { STATUS_COLORS } from "../units/board";

export type OpsKind = "alarm" | "incident" | "unit";
export const OPS_KINDS: readonly OpsKind[] = ["alarm", "incident", "unit"];

/** Alarm priorities in bands, 1 the most urgent: the colour of an alarm on the map and in the legend. */
export type PriorityBand = "critical" | "high" | "normal";
export const PRIORITY_BANDS: readonly PriorityBand[] = ["critical", "high", "normal"];
export const BAND_COLORS: Record<PriorityBand, string> = { critical: "#e03131", high: "#f76707", normal: "#fab005" };

/** Panic, duress, fire and SOS rules are 1–10; forced doors and panels offline up to 30; the rest below. */
export function priorityBand(priority: number): PriorityBand {
  if (priority <= 10) return "critical";
  if (priority <= 30) return "high";
  return "normal";
}

/** The incident states that are on the map (closed ones are done). */
export const MAP_INCIDENT_STATES: readonly IncidentState[] = ["new", "dispatched", "en_route", "on_scene", "on_hold", "resolved"];
export const INCIDENT_COLORS: Record<IncidentState, string> = {
  new: "#e64980",
  dispatched: "#f08c00",
  en_route: "#fab005",
  on_scene: "#1c7ed6",
  on_hold: "#7048e8",
  resolved: "#2f9e44",
  closed: "#868e96",
};

export const UNIT_COLORS: Record<UnitStatus, string> = STATUS_COLORS;

/** One thing on the operating picture. `key` is unique across kinds (`alarm:12`, `incident:4`, `unit:PC-01`). */
export interface OpsItem {
  key: string;
  kind: OpsKind;
  /** The alarm's or incident's id, the unit's code. */
  ref: string;
  lon: number;
  lat: number;
  /** Alarm: new | acknowledged; incident: its state; unit: its status. */
  state: string;
  color: string;
  /** Text on the marker: an alarm's priority, an incident's number, a unit's call sign. */
  label: string;
  /** An unacknowledged alarm blinks until someone acknowledges it; a stalled dispatch or an uncovered incident too. */
  blink: boolean;
  /** Drawing order: urgent alarms above everything, then incidents, then units. */
  rank: number;
  priority: number | null;
  /** A unit whose dispatch looks stalled (the dispatch watch's flag): a badge on its marker. */
  flag: string | null;
  /** Alarms drawn as one (opsClusters.ts): how many. */
  count?: number;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function alarmItem(alarm: AlarmItem): OpsItem | null {
  if (alarm.state === "resolved" || !finite(alarm.lon) || !finite(alarm.lat)) return null;
  return {
    key: `alarm:${alarm.id}`,
    kind: "alarm",
    ref: String(alarm.id),
    lon: alarm.lon,
    lat: alarm.lat,
    state: alarm.state,
    color: BAND_COLORS[priorityBand(alarm.priority)],
    label: String(alarm.priority),
    blink: alarm.state === "new",
    rank: 3000 - Math.min(alarm.priority, 255) + (alarm.state === "new" ? 300 : 0),
    priority: alarm.priority,
    flag: null,
  };
}

/** "2026-000123" → "123": the marker's text (the card shows the whole number). */
export function shortNumber(number: string): string {
  return (number.split("-").pop() ?? number).replace(/^0+(?=\d)/, "");
}

export function incidentItem(incident: IncidentItem): OpsItem | null {
  if (!MAP_INCIDENT_STATES.includes(incident.state) || !finite(incident.lon) || !finite(incident.lat)) return null;
  return {
    key: `incident:${incident.id}`,
    kind: "incident",
    ref: String(incident.id),
    lon: incident.lon,
    lat: incident.lat,
    state: incident.state,
    color: INCIDENT_COLORS[incident.state],
    label: shortNumber(incident.number),
    // Left uncovered (its last unit declined or was released) or a unit's dispatch stalls: it blinks.
    blink: !!incident.uncovered_at || (incident.units_stalled ?? 0) > 0,
    rank: 2000 - Math.min(incident.priority, 255),
    priority: incident.priority,
    flag: null,
  };
}

export function unitItem(unit: UnitItem): OpsItem | null {
  if (!unit.active || unit.status === "off_duty" || !finite(unit.lon) || !finite(unit.lat)) return null;
  return {
    key: `unit:${unit.code}`,
    kind: "unit",
    ref: unit.code,
    lon: unit.lon,
    lat: unit.lat,
    state: unit.status,
    color: UNIT_COLORS[unit.status] ?? UNIT_COLORS.off_duty,
    label: unit.code,
    blink: !!unit.flag,  // its dispatch stalls (the dispatch watch's flag)
    rank: unit.flag ? 1500 : 1000,
    priority: null,
    flag: unit.flag ?? null,
  };
}

/** Which operating layers are on; absent kinds count as on. */
export type OpsToggles = Partial<Record<OpsKind, boolean>>;

export interface OpsSources {
  alarms: readonly AlarmItem[];
  incidents: readonly IncidentItem[];
  units: readonly UnitItem[];
}

/** The items to draw, those of a layer that is off left out. */
export function opsItems(sources: OpsSources, toggles: OpsToggles = {}): OpsItem[] {
  const out: OpsItem[] = [];
  const add = <T>(kind: OpsKind, list: readonly T[], toItem: (x: T) => OpsItem | null) => {
    if (toggles[kind] === false) return;
    for (const x of list) {
      const item = toItem(x);
      if (item) out.push(item);
    }
  };
  add("alarm", sources.alarms, alarmItem);
  add("incident", sources.incidents, incidentItem);
  add("unit", sources.units, unitItem);
  return out;
}

/** The legend: per layer, each colour with what it means and how many items have it now. */
export interface OpsLegend {
  alarm: { band: PriorityBand; color: string; count: number; unacknowledged: number }[];
  incident: { state: IncidentState; color: string; count: number }[];
  unit: { status: UnitStatus; color: string; count: number }[];
}

export function opsLegend(sources: OpsSources): OpsLegend {
  const alarm = PRIORITY_BANDS.map((band) => ({ band, color: BAND_COLORS[band], count: 0, unacknowledged: 0 }));
  for (const a of sources.alarms) {
    if (a.state === "resolved") continue;
    const row = alarm[PRIORITY_BANDS.indexOf(priorityBand(a.priority))];
    row.count += 1;
    if (a.state === "new") row.unacknowledged += 1;
  }
  const incident = MAP_INCIDENT_STATES.map((state) => ({ state, color: INCIDENT_COLORS[state], count: 0 }));
  for (const i of sources.incidents) {
    const row = incident.find((r) => r.state === i.state);
    if (row) row.count += 1;
  }
  const unit = UNIT_STATUSES.map((status) => ({ status, color: UNIT_COLORS[status], count: 0 }));
  for (const u of sources.units) {
    const row = unit.find((r) => r.status === u.status);
    if (row && u.active) row.count += 1;
  }
  return { alarm, incident, unit };
}

/** Parses `alarm:12` / `incident:4` / `unit:PC-01`; null for anything else. */
export function parseOpsKey(key: string): { kind: OpsKind; ref: string } | null {
  const at = key.indexOf(":");
  const kind = key.slice(0, at) as OpsKind;
  return at > 0 && OPS_KINDS.includes(kind) ? { kind, ref: key.slice(at + 1) } : null;
}

/**
 * Events that change what the layers show: an alarm or incident event makes the desk reload that list (a burst
 * folds into one reload), a unit's move or status is applied in place.
 */
export function opsReloadFor(eventName: string): "alarms" | "incidents" | "units" | null {
  if (eventName.startsWith("alarms.")) return "alarms";
  if (eventName.startsWith("incidents.") || eventName === "units.assignment_changed") return "incidents";
  // A stalled dispatch flagged or cleared: the units' flags are read from the board.
  if (eventName === "units.dispatch_flagged") return "units";
  return null;
}

/** The newest unacknowledged alarm with a position: what the wall follows. */
export function newestUnacknowledged(alarms: readonly AlarmItem[]): AlarmItem | null {
  let newest: AlarmItem | null = null;
  for (const a of alarms) {
    if (a.state !== "new" || !finite(a.lon) || !finite(a.lat)) continue;
    if (!newest || Date.parse(a.last_at) > Date.parse(newest.last_at) || (a.last_at === newest.last_at && a.id > newest.id)) newest = a;
  }
  return newest;
}
