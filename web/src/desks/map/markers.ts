/**
 * SVG markup of device markers (shape by kind, fill by health) and cluster
 * badges (count, coloured by the worst health inside). Strings only: the map
 * wraps them in Leaflet divIcons, the legend renders the same shapes.
 */
import type { DeviceHealth } from "../../api/types";
import { HEALTHS, HEALTH_COLORS, type HealthCounts } from "./model";

export const MARKER_SIZE = 22;

/** The inner path of each kind's shape on a 22×22 grid, centred at 11,11. */
const SHAPES: Record<string, { outline: string; glyph: string }> = {
  // Circle with a lens.
  camera: {
    outline: '<circle cx="11" cy="11" r="7.5"/>',
    glyph: '<circle cx="11" cy="11" r="2.6" fill="#fff" stroke="none"/>',
  },
  // Rounded square with a cross (call for help).
  sos_terminal: {
    outline: '<rect x="3.5" y="3.5" width="15" height="15" rx="3"/>',
    glyph: '<path d="M11 7.2v7.6M7.2 11h7.6" stroke="#fff" stroke-width="2.2" stroke-linecap="round" fill="none"/>',
  },
  // Diamond with an exclamation mark.
  alarm_panel: {
    outline: '<path d="M11 2.2 19.8 11 11 19.8 2.2 11z"/>',
    glyph: '<path d="M11 7v4.8" stroke="#fff" stroke-width="2.1" stroke-linecap="round" fill="none"/><circle cx="11" cy="14.6" r="1.2" fill="#fff" stroke="none"/>',
  },
  // Triangle with a bar (turnstile).
  access_point: {
    outline: '<path d="M11 2.8 19.6 18.2H2.4z"/>',
    glyph: '<path d="M8 14h6" stroke="#fff" stroke-width="2" stroke-linecap="round" fill="none"/>',
  },
};

const FALLBACK_SHAPE = { outline: '<circle cx="11" cy="11" r="6"/>', glyph: "" };

export function hasKnownShape(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(SHAPES, kind);
}

/** SVG of one device marker. `selected` adds a ring around it. */
export function deviceMarkerSvg(kind: string, health: DeviceHealth, options: { selected?: boolean; size?: number } = {}): string {
  const size = options.size ?? MARKER_SIZE;
  const shape = SHAPES[kind] ?? FALLBACK_SHAPE;
  const fill = HEALTH_COLORS[health] ?? HEALTH_COLORS.unknown;
  const ring = options.selected
    ? '<circle cx="11" cy="11" r="10.3" fill="none" stroke="#fff" stroke-width="1.4"/><circle cx="11" cy="11" r="10.3" fill="none" stroke="#1c7ed6" stroke-width="1" stroke-dasharray="2 1.5"/>'
    : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 22 22" aria-hidden="true">` +
    ring +
    `<g fill="${fill}" stroke="#fff" stroke-width="1.5" stroke-linejoin="round">${shape.outline}</g>` +
    shape.glyph +
    "</svg>"
  );
}

/** Diameter in pixels of a cluster badge holding `count` devices. */
export function clusterSize(count: number): number {
  if (count < 10) return 28;
  if (count < 100) return 34;
  if (count < 1000) return 40;
  return 46;
}

/** "1.2k" past a thousand. */
export function abbreviateCount(count: number): string {
  if (count < 1000) return String(count);
  const k = count / 1000;
  return `${k >= 10 ? Math.round(k) : k.toFixed(1).replace(/\.0$/, "")}k`;
}

/**
 * CSS conic-gradient of the health shares of a cluster, clockwise from the
 * top in legend order (online, degraded, unknown, offline); null when empty.
 */
export function healthRing(counts: Partial<HealthCounts>): string | null {
  const total = HEALTHS.reduce((sum, h) => sum + Math.max(0, counts[h] ?? 0), 0);
  if (total <= 0) return null;
  const stops: string[] = [];
  let at = 0;
  for (const h of HEALTHS) {
    const n = Math.max(0, counts[h] ?? 0);
    if (n === 0) continue;
    const end = at + (360 * n) / total;
    stops.push(`${HEALTH_COLORS[h]} ${at.toFixed(1)}deg ${end.toFixed(1)}deg`);
    at = end;
  }
  return `conic-gradient(${stops.join(", ")})`;
}

/**
 * HTML of a cluster badge: the count on a disc in the worst health's colour,
 * inside a ring showing the share of each health state.
 */
export function clusterBadgeHtml(count: number, worst: DeviceHealth, counts?: Partial<HealthCounts>): string {
  const size = clusterSize(count);
  const color = HEALTH_COLORS[worst] ?? HEALTH_COLORS.unknown;
  const ring = (counts && healthRing(counts)) ?? color;
  return (
    `<div class="map-cluster" data-health="${worst}" style="width:${size}px;height:${size}px;background:${ring}">` +
    `<span class="map-cluster-core" style="background:${color}">${abbreviateCount(count)}</span></div>`
  );
}
