/**
 * Pure logic of the map desk: normalising the registry's GeoJSON, layer
 * visibility and counts, health ranking for cluster colours, live health
 * updates. Nothing here touches Leaflet or the DOM (unit-tested under Node).
 */
import type {
  CameraPurpose,
  CityModel,
  DeviceDetail,
  DeviceFeatureCollection,
  DeviceHealth,
  DeviceKind,
  DeviceSummary,
} from "../../api/types";
import type { Language } from "../../i18n/languages";
import type { LiveEvent } from "../../live/types";

export const DEVICE_KINDS: readonly DeviceKind[] = ["camera", "sos_terminal", "alarm_panel", "access_point"];

export const CAMERA_PURPOSES: readonly CameraPurpose[] = [
  "public_space",
  "yard",
  "intersection",
  "speed",
  "city_entry_anpr",
  "social_object",
  "police_post",
  "situation_center",
];

/** Best first. */
export const HEALTHS: readonly DeviceHealth[] = ["online", "degraded", "unknown", "offline"];

/**
 * How bad a health state is, for the colour of a cluster (its worst member):
 * offline > degraded > unknown > online. "Unknown" (never reported, e.g. a
 * planned device) ranks below "degraded" so that one silent new camera does not
 * hide a failing one, but above "online" so it is never mistaken for healthy.
 */
export const HEALTH_RANK: Record<DeviceHealth, number> = { online: 0, unknown: 1, degraded: 2, offline: 3 };

/** Status colours (Mantine palette shades readable on both themes). */
export const HEALTH_COLORS: Record<DeviceHealth, string> = {
  online: "#2f9e44",
  degraded: "#f59f00",
  offline: "#e03131",
  unknown: "#868e96",
};

export function normaliseHealth(value: unknown): DeviceHealth {
  return value === "online" || value === "degraded" || value === "offline" ? value : "unknown";
}

export function healthRank(value: unknown): number {
  return HEALTH_RANK[normaliseHealth(value)];
}

/** The worst health of a set (the colour of a cluster); "unknown" for an empty set. */
export function worstHealth(values: Iterable<unknown>): DeviceHealth {
  let worst: DeviceHealth | null = null;
  for (const value of values) {
    const health = normaliseHealth(value);
    if (worst === null || HEALTH_RANK[health] > HEALTH_RANK[worst]) worst = health;
  }
  return worst ?? "unknown";
}

/** Per-health tallies as carried by a cluster. */
export type HealthCounts = Record<DeviceHealth, number>;

export function emptyHealthCounts(): HealthCounts {
  return { online: 0, degraded: 0, offline: 0, unknown: 0 };
}

/** The worst health present in per-health tallies. */
export function worstOfCounts(counts: Partial<HealthCounts>): DeviceHealth {
  return worstHealth(HEALTHS.filter((h) => (counts[h] ?? 0) > 0));
}

// ---- devices -----------------------------------------------------------------

/** A registry device as the map holds it. */
export interface MapDevice {
  code: string;
  kind: string;
  purpose: string | null;
  health: DeviceHealth;
  lifecycle: string | null;
  name_kk: string | null;
  name_ru: string | null;
  name_en: string | null;
  site_code: string | null;
  site_name_kk: string | null;
  site_name_ru: string | null;
  site_name_en?: string | null;
  last_seen_at: string | null;
  heading_deg: number | null;
  fov_deg: number | null;
  range_m: number | null;
  lon: number;
  lat: number;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function isLonLat(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    typeof value[0] === "number" &&
    typeof value[1] === "number" &&
    Number.isFinite(value[0]) &&
    Number.isFinite(value[1]) &&
    Math.abs(value[0]) <= 180 &&
    Math.abs(value[1]) <= 90
  );
}

/** Point features with a code become MapDevices; anything else is skipped. */
export function devicesFromGeoJson(collection: DeviceFeatureCollection | null | undefined): MapDevice[] {
  if (!collection || !Array.isArray(collection.features)) return [];
  const out: MapDevice[] = [];
  const seen = new Set<string>();
  for (const feature of collection.features) {
    const props = feature?.properties;
    const geometry = feature?.geometry;
    if (!props || !geometry || geometry.type !== "Point" || !isLonLat(geometry.coordinates)) continue;
    const code = str(props.code) ?? (feature.id !== undefined ? String(feature.id) : null);
    if (!code || seen.has(code)) continue;
    seen.add(code);
    out.push({
      code,
      kind: str(props.kind) ?? "unknown",
      purpose: str(props.purpose),
      health: normaliseHealth(props.health),
      lifecycle: str(props.lifecycle),
      name_kk: str(props.name_kk),
      name_ru: str(props.name_ru),
      name_en: str(props.name_en),
      site_code: str(props.site_code),
      site_name_kk: str(props.site_name_kk),
      site_name_ru: str(props.site_name_ru),
      site_name_en: str(props.site_name_en),
      last_seen_at: str(props.last_seen_at),
      heading_deg: num(props.heading_deg),
      fov_deg: num(props.fov_deg),
      range_m: num(props.range_m),
      lon: geometry.coordinates[0],
      lat: geometry.coordinates[1],
    });
  }
  return out;
}

/**
 * A name in the UI language with fallback: kk → ru → en, ru → kk → en,
 * en → ru → kk; then a plain `name`. `prefix` selects e.g. site_name_*.
 */
export function localName(item: object | null | undefined, lang: Language, prefix = "name"): string | null {
  if (!item) return null;
  const fields = item as Record<string, unknown>;
  const order: Language[] = lang === "kk" ? ["kk", "ru", "en"] : lang === "ru" ? ["ru", "kk", "en"] : ["en", "ru", "kk"];
  for (const l of order) {
    const value = str(fields[`${prefix}_${l}`]);
    if (value) return value;
  }
  return str(fields[prefix]);
}

// ---- layers ------------------------------------------------------------------

/** Which device layers are on. Absent keys count as on (new kinds appear). */
export interface LayerToggles {
  kinds: Record<string, boolean>;
  purposes: Record<string, boolean>;
}

export const ALL_LAYERS_ON: LayerToggles = { kinds: {}, purposes: {} };

/** Decommissioned devices stay in the registry (and in search) but are off the map and out of the counts. */
export function inService(device: Pick<MapDevice, "lifecycle">): boolean {
  return device.lifecycle !== "decommissioned";
}

export function isDeviceVisible(device: Pick<MapDevice, "kind" | "purpose" | "lifecycle">, toggles: LayerToggles): boolean {
  if (!inService(device)) return false;
  if (toggles.kinds[device.kind] === false) return false;
  if (device.kind === "camera" && device.purpose && toggles.purposes[device.purpose] === false) return false;
  return true;
}

export interface LayerCounts {
  kinds: Record<string, number>;
  purposes: Record<string, number>;
  health: Record<string, number>;
  /** Where the numbers came from: the registry's summary or the loaded GeoJSON. */
  source: "summary" | "geojson";
}

/** Tallies kinds, camera purposes and health of the loaded devices in service. */
export function countDevices(devices: readonly Pick<MapDevice, "kind" | "purpose" | "health" | "lifecycle">[]) {
  const kinds: Record<string, number> = {};
  const purposes: Record<string, number> = {};
  const health: Record<string, number> = {};
  for (const d of devices) {
    if (!inService(d)) continue;
    kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
    if (d.kind === "camera" && d.purpose) purposes[d.purpose] = (purposes[d.purpose] ?? 0) + 1;
    health[d.health] = (health[d.health] ?? 0) + 1;
  }
  return { kinds, purposes, health };
}

/**
 * Reads one count map of the summary. Accepts {key: n} and, should the
 * backend choose it, [{kind|purpose|health|lifecycle|key|name: k, count: n}].
 * Null when the map is missing or holds no numbers.
 */
export function readCountMap(value: unknown): Record<string, number> | null {
  const out: Record<string, number> = {};
  if (Array.isArray(value)) {
    for (const row of value) {
      if (!row || typeof row !== "object") continue;
      const r = row as Record<string, unknown>;
      const key = [r.key, r.kind, r.purpose, r.health, r.lifecycle, r.name, r.value].find((k) => typeof k === "string");
      const count = typeof r.count === "number" ? r.count : typeof r.n === "number" ? r.n : null;
      if (typeof key === "string" && count !== null && Number.isFinite(count)) out[key] = count;
    }
  } else if (value && typeof value === "object") {
    for (const [key, count] of Object.entries(value as Record<string, unknown>)) {
      if (typeof count === "number" && Number.isFinite(count)) out[key] = count;
    }
  } else {
    return null;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * Layer counts: the registry's summary where it answers (it counts every
 * device, whatever the GeoJSON holds), else counted from the GeoJSON.
 */
export function layerCounts(summary: DeviceSummary | null | undefined, devices: readonly MapDevice[]): LayerCounts {
  const counted = countDevices(devices);
  const kinds = readCountMap(summary?.by_kind);
  const purposes = readCountMap(summary?.by_purpose);
  const health = readCountMap(summary?.by_health);
  return {
    kinds: kinds ?? counted.kinds,
    purposes: purposes ?? counted.purposes,
    health: health ?? counted.health,
    source: kinds ? "summary" : "geojson",
  };
}

// ---- live updates ------------------------------------------------------------

export interface HealthChange {
  code: string;
  current: DeviceHealth;
  lastSeenAt: string | null;
}

export const HEALTH_CHANGED_EVENT = "devices.health_changed";

/** Reads a `devices.health_changed` event; null for any other event or a malformed one. */
export function parseHealthChanged(event: Pick<LiveEvent, "name" | "payload" | "subject_id">): HealthChange | null {
  if (event.name !== HEALTH_CHANGED_EVENT) return null;
  const payload = event.payload ?? {};
  const code = str(payload.code) ?? (event.subject_id !== null && event.subject_id !== undefined ? String(event.subject_id) : null);
  if (!code || typeof payload.current !== "string") return null;
  return { code, current: normaliseHealth(payload.current), lastSeenAt: str(payload.last_seen_at) };
}

/** Applies health changes; returns the same array when nothing changed. */
export function applyHealthChanges(devices: MapDevice[], changes: readonly HealthChange[]): MapDevice[] {
  if (changes.length === 0) return devices;
  const latest = new Map<string, HealthChange>();
  for (const change of changes) latest.set(change.code, change);
  let changed = false;
  const next = devices.map((d) => {
    const change = latest.get(d.code);
    if (!change) return d;
    const lastSeen = change.lastSeenAt ?? d.last_seen_at;
    if (change.current === d.health && lastSeen === d.last_seen_at) return d;
    changed = true;
    return { ...d, health: change.current, last_seen_at: lastSeen };
  });
  return changed ? next : devices;
}

// ---- the device card ----------------------------------------------------------

/** A stream is present when its URL is a non-empty string or the API says true. */
export function streamPresent(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.trim() !== "");
}

/** Which streams a device has (the registry's `stream_main`/`stream_sub`); unknown until its answer came. */
export function streamsOf(detail: DeviceDetail | null | undefined): { main: boolean; sub: boolean; known: boolean } {
  if (!detail) return { main: false, sub: false, known: false };
  return { main: streamPresent(detail.stream_main), sub: streamPresent(detail.stream_sub), known: true };
}

/** GET /api/city/models answers a page {items}; a bare list is accepted too. */
export function modelsOf(answer: unknown): CityModel[] {
  const items = Array.isArray(answer)
    ? answer
    : answer && typeof answer === "object" && Array.isArray((answer as { items?: unknown }).items)
      ? (answer as { items: unknown[] }).items
      : [];
  return items.filter(
    (m): m is CityModel => !!m && typeof m === "object" && typeof (m as CityModel).name === "string",
  );
}

/** The model the map is drawn from: the active one, else the only one. */
export function activeModel<M extends Pick<CityModel, "active">>(models: readonly M[] | null): M | null {
  if (!models || models.length === 0) return null;
  return models.find((m) => m.active) ?? (models.length === 1 ? models[0] : null);
}

/**
 * What the device card shows: the map's copy of a device (its GeoJSON properties), completed by the registry's
 * answer (GET /api/devices/{code}) once it came. Every field but the code may be missing.
 */
export type CardDevice = Partial<MapDevice> & Partial<Pick<DeviceDetail, "has_credentials">> & { code: string };

/** The device as the card shows it: the registry's answer over the map's GeoJSON properties. */
export function mergeDevice(device: MapDevice | undefined, detail: DeviceDetail | undefined): CardDevice | null {
  if (!device && !detail) return null;
  const merged: CardDevice = { ...(device ?? {}), code: detail?.code ?? device?.code ?? "" };
  if (detail) {
    for (const [key, value] of Object.entries(detail)) {
      if (value !== undefined && value !== null) (merged as Record<string, unknown>)[key] = value;
    }
  }
  // The map's copy carries live health updates that arrived after the details were fetched.
  if (device) {
    merged.health = device.health;
    merged.last_seen_at = latestInstant(device.last_seen_at, detail?.last_seen_at);
  }
  return merged;
}

/** The later of two ISO instants (either may be missing or unparsable). */
export function latestInstant(a: string | null | undefined, b: string | null | undefined): string | null {
  const ta = a ? Date.parse(a) : Number.NaN;
  const tb = b ? Date.parse(b) : Number.NaN;
  if (Number.isNaN(ta)) return Number.isNaN(tb) ? (a || b || null) : (b as string);
  if (Number.isNaN(tb)) return a as string;
  return tb > ta ? (b as string) : (a as string);
}
