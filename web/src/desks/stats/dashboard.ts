/** Response dashboard logic: periods, and how a stage's P50/P90 compare with its target. */
import type { ResponseGroup, ResponseStage, StageFigures } from "../../api/incidents";
import { wallClock } from "../../shell/time";

export type PeriodPreset = "today" | "24h" | "7d" | "30d";
export const PERIOD_PRESETS: readonly PeriodPreset[] = ["today", "24h", "7d", "30d"];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** [from, to) of a preset ending now; "today" starts at local midnight in the deployment's zone. */
export function periodRange(preset: PeriodPreset, now: Date, timeZone: string): { from: Date; to: Date } {
  // `to` a minute ahead so incidents received this very second are inside the half-open period.
  const to = new Date(now.getTime() + 60_000);
  switch (preset) {
    case "today": {
      const c = wallClock(now, timeZone);
      const sinceMidnight = (Number(c.hour) * 3600 + Number(c.minute) * 60 + Number(c.second)) * 1000 + now.getMilliseconds();
      return { from: new Date(now.getTime() - sinceMidnight), to };
    }
    case "24h":
      return { from: new Date(now.getTime() - DAY_MS), to };
    case "7d":
      return { from: new Date(now.getTime() - 7 * DAY_MS), to };
    case "30d":
      return { from: new Date(now.getTime() - 30 * DAY_MS), to };
  }
}

/**
 * ok: P90 within the target; warn: P50 within, P90 over; bad: P50 over; none: nothing measured or no target.
 * Where the target differs per incident (on scene: town or district) the group has no single target; the
 * share within each incident's own target decides instead (≥ 90 % ok, ≥ 50 % warn), which reads the same.
 */
export type TargetVerdict = "ok" | "warn" | "bad" | "none";

export function verdict(figures: StageFigures | null | undefined): TargetVerdict {
  if (!figures || figures.p50_s === null) return "none";
  if (figures.target_s === null || figures.target_s === undefined) {
    const share = figures.within_target;
    if (share === null || share === undefined) return "none";
    return share >= 0.9 ? "ok" : share >= 0.5 ? "warn" : "bad";
  }
  if (figures.p90_s !== null && figures.p90_s <= figures.target_s) return "ok";
  if (figures.p50_s <= figures.target_s) return "warn";
  return "bad";
}

export const VERDICT_COLORS: Record<TargetVerdict, string> = { ok: "green", warn: "yellow", bad: "red", none: "gray" };

/** "87 %" for a 0–1 share; "—" when unknown. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${Math.round(share * 100)} %`;
}

/** Groups with incidents, the busiest first (ties by key). */
export function busiestFirst(groups: readonly ResponseGroup[]): ResponseGroup[] {
  return groups.filter((g) => g.incidents > 0).sort((a, b) => b.incidents - a.incidents || a.key.localeCompare(b.key));
}

/** The stages that have a target or any measurement in the overall group (acknowledged only concerns alarms). */
export function stagesToShow(overall: ResponseGroup, stages: readonly ResponseStage[]): ResponseStage[] {
  return stages.filter((s) => overall[s].count > 0 || (overall[s].target_s ?? null) !== null);
}
