/**
 * Likely duplicates on the board, by the server's rule (incidents/merging.py, keep them equal): an open incident of
 * the same category received within 30 minutes of an earlier one, at the same address or within 200 m. The later
 * one is flagged and offered to merge into the earlier.
 */
import type { IncidentItem } from "../../api/incidents";

export const DUPLICATE_WINDOW_MS = 30 * 60 * 1000;
export const DUPLICATE_RADIUS_M = 200;
const EARTH_RADIUS_M = 6_371_008.8;

export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dp = (lat2 - lat1) * rad;
  const dl = (lon2 - lon1) * rad;
  const a = Math.sin(dp / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dl / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

function normAddress(text: string | null | undefined): string {
  return (text ?? "").toLocaleLowerCase().replace(/[,.]/g, " ").split(/\s+/).filter(Boolean).join(" ");
}

export function isLikelyDuplicate(a: IncidentItem, b: IncidentItem): boolean {
  if (a.id === b.id || a.category !== b.category) return false;
  if (Math.abs(Date.parse(a.received_at) - Date.parse(b.received_at)) > DUPLICATE_WINDOW_MS) return false;
  const address = normAddress(a.address);
  if (address && address === normAddress(b.address)) return true;
  if (a.lon == null || a.lat == null || b.lon == null || b.lat == null) return false;
  return distanceM(a.lon, a.lat, b.lon, b.lat) <= DUPLICATE_RADIUS_M;
}

const OPEN: ReadonlySet<string> = new Set(["new", "dispatched", "en_route", "on_scene", "on_hold"]);

/** For each open incident that repeats an earlier open one: the id of that earlier (first received) incident. */
export function findDuplicates(items: readonly IncidentItem[]): Map<number, IncidentItem> {
  const open = items.filter((i) => OPEN.has(i.state))
    .sort((a, b) => Date.parse(a.received_at) - Date.parse(b.received_at) || a.id - b.id);
  const found = new Map<number, IncidentItem>();
  open.forEach((incident, index) => {
    const original = open.slice(0, index).find((earlier) => !found.has(earlier.id) && isLikelyDuplicate(earlier, incident));
    if (original) found.set(incident.id, original);
  });
  return found;
}
