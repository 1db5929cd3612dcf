import type { MaskPolygon } from "../../api/video";

/** Privacy-mask editing (pure): points in frame coordinates 0..1, polygons of 3 to 64 points. */

export const MAX_POINTS = 64;
export const MAX_MASKS = 16;

/** A click at (x, y) pixels in a box of width × height, as a frame point rounded to 0.001. */
export function framePoint(x: number, y: number, width: number, height: number): [number, number] {
  const clamp = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  return [clamp(x / width), clamp(y / height)];
}

/** SVG `points` for a polygon drawn in a 0..100 view box. */
export function svgPoints(polygon: readonly (readonly number[])[]): string {
  return polygon.map(([x, y]) => `${x * 100},${y * 100}`).join(" ");
}

/** Adds the polygon being drawn to the masks when it has enough points; null when it cannot be closed yet. */
export function closePolygon(masks: readonly MaskPolygon[], drawing: readonly number[][]): MaskPolygon[] | null {
  if (drawing.length < 3 || drawing.length > MAX_POINTS || masks.length >= MAX_MASKS) return null;
  return [...masks, drawing.map((p) => [p[0], p[1]])];
}
