/** Links into the video desk: "open cameras" from an alarm, an incident or the map (live, and playback 30 s before). */

export const PLAYBACK_PREROLL_MS = 30_000;
/** How long a playback opened from an event spans by default. */
export const EVENT_WINDOW_MS = 10 * 60_000;

export interface VideoLink {
  cameras: string[];
  /** The event's instant (ISO 8601): playback starts 30 s before it. */
  at?: string;
}

export function videoDeskLink(link: VideoLink): string {
  const params = new URLSearchParams();
  if (link.cameras.length > 0) params.set("cameras", link.cameras.join(","));
  if (link.at) params.set("at", link.at);
  const query = params.toString();
  return query ? `/video?${query}` : "/video";
}

export function parseVideoLink(search: string): VideoLink | null {
  const params = new URLSearchParams(search);
  const cameras = (params.get("cameras") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  if (cameras.length === 0) return null;
  const at = params.get("at");
  return { cameras, at: at && Number.isFinite(Date.parse(at)) ? at : undefined };
}

/** The playback window for an event: from 30 s before it, `EVENT_WINDOW_MS` long but not past `nowMs`. */
export function eventWindow(at: string, nowMs: number): { fromMs: number; toMs: number; startMs: number } {
  const startMs = Date.parse(at) - PLAYBACK_PREROLL_MS;
  const toMs = Math.max(startMs + 60_000, Math.min(nowMs, startMs + EVENT_WINDOW_MS));
  return { fromMs: startMs, toMs, startMs };
}
