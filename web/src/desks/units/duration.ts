/** Durations as the desks show them: language-neutral clock notation, "0:45", "12:05", "1:02:09". */

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Seconds elapsed since `iso` at `now` (0 when unknown or in the future). */
export function secondsSince(iso: string | null | undefined, now: number): number {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(at) ? 0 : Math.max(0, (now - at) / 1000);
}

/** Distance in metres or kilometres: "850 m", "2.4 km" (units come from the caller's translations). */
export function splitDistance(meters: number): { value: string; unit: "m" | "km" } {
  if (meters < 1000) return { value: String(Math.round(meters)), unit: "m" };
  return { value: (meters / 1000).toFixed(1), unit: "km" };
}
