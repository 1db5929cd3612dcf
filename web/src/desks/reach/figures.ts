import type { CoverageLevel, Placement } from "../../api/coverage";

/** A level's identity, e.g. "walk-10" or "drive-7" (the toggles and the map layers use it). */
export function levelKey(level: Pick<CoverageLevel, "mode" | "minutes">): string {
  return `${level.mode}-${level.minutes}`;
}

const WALK_COLOURS = ["#2b8a3e", "#74b816", "#fab005", "#f76707", "#e03131", "#862e9c"];
export const DRIVE_COLOUR = "#1c7ed6";

/** Shorter walks in stronger green, longer ones towards orange; the drive time in blue. */
export function levelColour(level: Pick<CoverageLevel, "mode" | "minutes">, walkMinutes: readonly number[]): string {
  if (level.mode === "drive") return DRIVE_COLOUR;
  const index = [...walkMinutes].sort((a, b) => a - b).indexOf(level.minutes);
  return WALK_COLOURS[Math.max(0, Math.min(index, WALK_COLOURS.length - 1))];
}

/** 0.54612 → "54.6 %" in the user's locale. */
export function formatShare(share: number, locale: string): string {
  return `${(share * 100).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

/** Residents newly covered by a placement and the change of the share in percentage points. */
export function gain(placement: Pick<Placement, "before" | "after">): { residents: number; points: number } {
  return {
    residents: placement.after.covered - placement.before.covered,
    points: Math.round((placement.after.share - placement.before.share) * 1000) / 10,
  };
}

/** The levels drawn on the map: the larger first, so the smaller (darker) ones stay visible on top. */
export function drawOrder<T extends Pick<CoverageLevel, "mode" | "minutes">>(levels: readonly T[], shown: ReadonlySet<string>): T[] {
  return levels
    .filter((l) => shown.has(levelKey(l)))
    .sort((a, b) => (a.mode === b.mode ? b.minutes - a.minutes : a.mode === "drive" ? -1 : 1));
}
