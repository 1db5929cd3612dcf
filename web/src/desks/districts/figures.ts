import type { District } from "../../api/districts";

/** How loaded a district is against the norm of residents per inspector (no inspector: overloaded). */
export function loadRatio(district: Pick<District, "residents" | "inspectors">, norm: number): number {
  if (district.inspectors.length === 0) return Infinity;
  return district.residents / district.inspectors.length / norm;
}

/** Fill colour by load: green well under the norm, yellow near it, orange over, red far over or unstaffed. */
export function loadColour(ratio: number): string {
  if (ratio <= 0.8) return "#2f9e44";
  if (ratio <= 1) return "#f2c94c";
  if (ratio <= 1.5) return "#f08c00";
  return "#e03131";
}

/** The district's name in the interface language. */
export function districtName(district: Pick<District, "name_kk" | "name_ru" | "name_en">, lang: string): string {
  return lang === "kk" ? district.name_kk : lang === "en" ? district.name_en : district.name_ru;
}

/** "17:00–20:00, Mon–Fri" style days: consecutive weekdays joined into ranges (0 = Monday). */
export function dayRanges(days: readonly number[]): [number, number][] {
  const sorted = [...new Set(days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const day of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === day - 1) last[1] = day;
    else ranges.push([day, day]);
  }
  return ranges;
}
