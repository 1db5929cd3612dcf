/** What a plate-hit alarm carries in its details (pure), as the roads domain's `roads.plate_hit` put it there. */

export interface PlateHitAlarm {
  plate: string;
  pattern: string;
  watchlist: string;
  kind: string;
  reason: string;
  direction: string | null;
  vehicle: string | null;
  cropUrl: string | null;
  snapshotUrl: string | null;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);
// Only same-origin API paths are taken as pictures: the details are data.
const apiPath = (v: unknown): string | null => {
  const path = text(v);
  return path && path.startsWith("/api/roads/") ? path : null;
};

export function plateHitOf(details: Record<string, unknown> | null | undefined, eventName?: string | null): PlateHitAlarm | null {
  if (!details || eventName !== "roads.plate_hit") return null;
  const plate = text(details.plate);
  if (!plate) return null;
  return {
    plate,
    pattern: text(details.pattern) ?? plate,
    watchlist: text(details.watchlist) ?? "",
    kind: text(details.kind) ?? "",
    reason: text(details.reason) ?? "",
    direction: text(details.direction),
    vehicle: [text(details.vehicle_class), text(details.colour)].filter(Boolean).join(", ") || null,
    cropUrl: apiPath(details.crop_url),
    snapshotUrl: apiPath(details.snapshot_url),
  };
}
