/** The Service-model desk's periods: calendar periods to date in the deployment's zone, and how figures read. */
import type { ReportPeriod } from "../../api/districtReports";
import { wallClock } from "../../shell/time";

export type ServicePeriod = "month" | "last_month" | "quarter" | "half" | "year";
export const SERVICE_PERIODS: readonly ServicePeriod[] = ["month", "last_month", "quarter", "half", "year"];

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Days in a month (1-12) of a year. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The local days of a period: this month / quarter / half-year / year to today, or the whole previous month
 * (a closed period, whose report no longer changes).
 */
export function periodDays(preset: ServicePeriod, now: Date, timeZone: string): ReportPeriod {
  const c = wallClock(now, timeZone);
  const year = Number(c.year);
  const month = Number(c.month);
  const today = iso(year, month, Number(c.day));
  switch (preset) {
    case "month":
      return { start: iso(year, month, 1), end: today };
    case "last_month": {
      const y = month === 1 ? year - 1 : year;
      const m = month === 1 ? 12 : month - 1;
      return { start: iso(y, m, 1), end: iso(y, m, daysIn(y, m)) };
    }
    case "quarter":
      return { start: iso(year, Math.floor((month - 1) / 3) * 3 + 1, 1), end: today };
    case "half":
      return { start: iso(year, month <= 6 ? 1 : 7, 1), end: today };
    case "year":
      return { start: iso(year, 1, 1), end: today };
  }
}

/** "12.3 %" or "—". */
export function formatShare(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined ? "—" : `${(share * 100).toFixed(digits)} %`;
}

/** "4.25" or "—". */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "—" : score.toFixed(2);
}

/** A bar's length in percent of the largest value shown (0 when nothing is above zero). */
export function barPercent(value: number | null | undefined, largest: number): number {
  if (value === null || value === undefined || largest <= 0) return 0;
  return Math.max(0, Math.min(100, (value / largest) * 100));
}
