/**
 * How the offences desk reads and prints its figures: the change against АППГ and its colour, rates per 10,000
 * residents, shares, and the colours of the heat map and the hot-spot classes.
 */

/** Which way is good: fewer offences is good, more clearance is good. */
export type Better = "lower" | "higher";
export type ChangeTone = "good" | "bad" | "same" | "none";

export const TONE_COLORS: Record<ChangeTone, string> = { good: "green", bad: "red", same: "gray", none: "gray" };

export interface Change {
  /** Current minus АППГ. */
  absolute: number;
  /** Relative change in percent; null when АППГ was zero (no percentage of nothing). */
  percent: number | null;
}

/** The change from last year's figure to this year's; null when either is unknown. */
export function changeFrom(current: number | null | undefined, previous: number | null | undefined): Change | null {
  if (current === null || current === undefined || previous === null || previous === undefined) return null;
  if (!Number.isFinite(current) || !Number.isFinite(previous)) return null;
  return { absolute: current - previous, percent: previous === 0 ? null : ((current - previous) / previous) * 100 };
}

/** Green when the change goes the good way, red the bad way, grey for none. */
export function changeTone(change: Change | null, better: Better): ChangeTone {
  if (!change) return "none";
  if (change.absolute === 0) return "same";
  const up = change.absolute > 0;
  return up === (better === "higher") ? "good" : "bad";
}

const MINUS = "\u2212";

function signed(value: string, negative: boolean, zero: boolean): string {
  if (zero) return value;
  return `${negative ? MINUS : "+"}${value}`;
}

/** "+12 (+5,3 %)", "−3 (−2.1 %)", "+4 (—)" when АППГ was zero; `digits` on the absolute change (rates take 1). */
export function formatChange(change: Change | null, locale: string, digits = 0): string {
  if (!change) return "—";
  const whole = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const one = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const abs = signed(whole.format(Math.abs(change.absolute)), change.absolute < 0, change.absolute === 0);
  if (change.percent === null) return `${abs} (—)`;
  const rounded = Math.round(change.percent * 10) / 10;
  const pct = signed(`${one.format(Math.abs(rounded))} %`, rounded < 0, rounded === 0);
  return `${abs} (${pct})`;
}

/** A whole count with the locale's grouping: "4 935" (kk, ru), "4,935" (en). */
export function formatCount(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** A 0–1 share as "62,4 %"; "—" when unknown. */
export function formatPercent(share: number | null | undefined, locale: string): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share * 100)} %`;
}

/** Offences per 10,000 residents; null without a population. */
export function ratePer10k(count: number, population: number | null | undefined): number | null {
  if (!population || population <= 0) return null;
  return (count / population) * 10_000;
}

export function formatRate(rate: number | null | undefined, locale: string): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rate);
}

/** Percentage points between two 0–1 shares (clearance changes are read in points, not in percent of percent). */
export function pointsChange(current: number | null | undefined, previous: number | null | undefined): Change | null {
  const change = changeFrom(current === null || current === undefined ? null : current * 100,
    previous === null || previous === undefined ? null : previous * 100);
  return change && { absolute: change.absolute, percent: null };
}

/** "+2,1 п.п." style: the change in points with its unit word, and no percentage after it. */
export function formatPoints(change: Change | null, locale: string, unitWord: string): string {
  if (!change) return "—";
  const one = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const rounded = Math.round(change.absolute * 10) / 10;
  return `${signed(one.format(Math.abs(rounded)), rounded < 0, rounded === 0)} ${unitWord}`;
}

/**
 * A heat-map cell's fill: white for nothing, through a sequential red ramp to the busiest cell. The square root
 * keeps a few very busy hours (Friday night) from washing every other cell out to white.
 */
export function heatColour(count: number, max: number): string {
  if (max <= 0 || count <= 0) return "#ffffff";
  const t = Math.sqrt(Math.min(count, max) / max);
  const from = [255, 245, 240];
  const to = [165, 15, 21];
  const mix = from.map((c, i) => Math.round(c + (to[i] - c) * t));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

/** The three classes patrol planning uses, each with its map colour. */
export type HotspotClass = "safe" | "unsafe_at_hours" | "unsafe";
export const HOTSPOT_CLASSES: readonly HotspotClass[] = ["safe", "unsafe_at_hours", "unsafe"];
export const HOTSPOT_COLORS: Record<HotspotClass, string> = { safe: "#2f9e44", unsafe_at_hours: "#f59f00", unsafe: "#e03131" };

/**
 * A Gi* z-score as a diverging colour: cold spots blue, hot spots red, the strength stepping at the usual
 * 90 / 95 / 99 % two-sided significance (|z| 1.645, 1.96, 2.576); not significant stays transparent.
 */
export function zColour(z: number): string | null {
  const a = Math.abs(z);
  if (!Number.isFinite(z) || a < 1.645) return null;
  const level = a >= 2.576 ? 2 : a >= 1.96 ? 1 : 0;
  return z > 0 ? ["#fcae91", "#fb6a4a", "#cb181d"][level] : ["#bdd7e7", "#6baed6", "#2171b5"][level];
}

/** Weekdays Monday first (ISO 1..7), as the heat map's rows run. */
export const WEEKDAYS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

const METRES_PER_DEGREE = 111_320;

/** A grid cell's [[south, west], [north, east]] from its centre and side in metres (small cells: flat earth). */
export function cellBounds(lon: number, lat: number, sideM: number): [[number, number], [number, number]] {
  const dLat = sideM / 2 / METRES_PER_DEGREE;
  const dLon = sideM / 2 / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
  return [[lat - dLat, lon - dLon], [lat + dLat, lon + dLon]];
}

function isHotspotClass(level: string): level is HotspotClass {
  return (HOTSPOT_CLASSES as readonly string[]).includes(level);
}

/** A cell's fill: its class's colour where classified (safe: none), else its z-score's (null: leave it out). */
export function cellColour(cell: { level: string | null; value: number }): string | null {
  if (cell.level && isHotspotClass(cell.level)) return cell.level === "safe" ? null : HOTSPOT_COLORS[cell.level];
  return zColour(cell.value);
}

/** The API's weekday × hour matrix made whole (7 × 24, missing cells zero) with its largest cell. */
export function heatMatrix(cells: readonly (readonly number[])[]): { grid: number[][]; max: number } {
  const grid = WEEKDAYS.map((_, d) => Array.from({ length: 24 }, (_, h) => Math.max(0, cells[d]?.[h] ?? 0)));
  return { grid, max: Math.max(0, ...grid.flat()) };
}

/** Bars of a chart scaled to the tallest, as 0–1 heights (an all-zero series stays flat). */
export function barHeights(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max > 0 ? Math.max(0, v) / max : 0));
}
