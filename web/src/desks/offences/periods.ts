/**
 * Reporting periods of the offences desk: the calendar month, quarter, half-year, the year to date (cumulative,
 * as legal statistics reports it: "за 11 месяцев") and a custom range, each with its АППГ (the same period of
 * last year). Dates are calendar days "YYYY-MM-DD"; a period is inclusive of both its first and its last day,
 * as the reports print it.
 */

export type PeriodKind = "month" | "quarter" | "half" | "ytd" | "custom";
export const PERIOD_KINDS: readonly PeriodKind[] = ["month", "quarter", "half", "ytd", "custom"];

export interface Period {
  kind: PeriodKind;
  /** First day, inclusive. */
  first: string;
  /** Last day, inclusive. */
  last: string;
}

interface Ymd { year: number; month: number; day: number }

function parse(date: string): Ymd {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`not a calendar date: ${date}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function format({ year, month, day }: Ymd): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for a real calendar day written "YYYY-MM-DD" (no 31 April, no 29 February in 2026). */
export function isCalendarDate(date: string): boolean {
  try {
    const { year, month, day } = parse(date);
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  } catch {
    return false;
  }
}

function monthEnd(year: number, month: number): string {
  return format({ year, month, day: daysInMonth(year, month) });
}

/**
 * The period of a kind that holds `anchor` (a calendar day). Year to date runs from 1 January to the end of the
 * anchor's month, because the department's cumulative reports close on a month's end.
 */
export function periodContaining(kind: Exclude<PeriodKind, "custom">, anchor: string): Period {
  const { year, month } = parse(anchor);
  switch (kind) {
    case "month":
      return { kind, first: format({ year, month, day: 1 }), last: monthEnd(year, month) };
    case "quarter": {
      const start = Math.floor((month - 1) / 3) * 3 + 1;
      return { kind, first: format({ year, month: start, day: 1 }), last: monthEnd(year, start + 2) };
    }
    case "half": {
      const start = month <= 6 ? 1 : 7;
      return { kind, first: format({ year, month: start, day: 1 }), last: monthEnd(year, start + 5) };
    }
    case "ytd":
      return { kind, first: format({ year, month: 1, day: 1 }), last: monthEnd(year, month) };
  }
}

/** A custom period; the days are put in order so that a reversed pick still means the range between them. */
export function customPeriod(a: string, b: string): Period {
  const [first, last] = a <= b ? [a, b] : [b, a];
  return { kind: "custom", first, last };
}

/** The period before (-1) or after (+1) this one, of the same kind; a custom range moves by its own length. */
export function shiftPeriod(period: Period, step: -1 | 1): Period {
  const first = parse(period.first);
  if (period.kind === "custom") {
    const dayMs = 86_400_000;
    const start = Date.UTC(first.year, first.month - 1, first.day);
    const end = Date.parse(`${period.last}T00:00:00Z`);
    const length = Math.round((end - start) / dayMs) + 1;
    const move = (t: number) => new Date(t + step * length * dayMs).toISOString().slice(0, 10);
    return { kind: "custom", first: move(start), last: move(end) };
  }
  if (period.kind === "ytd") {
    // Year to date steps by a month: January..October, January..November, ... and back over the new year.
    const last = parse(period.last);
    const index = last.year * 12 + (last.month - 1) + step;
    return periodContaining("ytd", format({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }));
  }
  const months = period.kind === "month" ? 1 : period.kind === "quarter" ? 3 : 6;
  const index = first.year * 12 + (first.month - 1) + step * months;
  return periodContaining(period.kind, format({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }));
}

/** The day after a period's last: the exclusive end the API's half-open ranges take. */
export function dayAfter(date: string): string {
  const { year, month, day } = parse(date);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** The last finished month's period of a kind on `today`: reports are read for closed months. */
export function defaultPeriod(kind: Exclude<PeriodKind, "custom">, today: string): Period {
  const { year, month } = parse(today);
  const index = year * 12 + (month - 1) - 1;
  return periodContaining(kind, format({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }));
}

/**
 * The months the trend chart shows: the period's own months, but never fewer than the twelve ending with its
 * last, so that a single month still reads against the year before it.
 */
export function trendRange(period: Period): { first: string; last: string } {
  const first = parse(period.first);
  const last = parse(period.last);
  const months = (last.year - first.year) * 12 + (last.month - first.month) + 1;
  if (months >= 12) return { first: format({ ...first, day: 1 }), last: period.last };
  const index = last.year * 12 + (last.month - 1) - 11;
  return { first: format({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }), last: period.last };
}
