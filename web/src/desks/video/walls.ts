import type { WallLayout, WallTile } from "../../api/video";

/** Video wall layouts and tile edits (pure). */

export const LAYOUTS: readonly WallLayout[] = ["1", "2x2", "3x3", "4x4"];

export function layoutSize(layout: WallLayout): number {
  return layout === "1" ? 1 : Number(layout[0]);
}

export function tileCount(layout: WallLayout): number {
  return layoutSize(layout) ** 2;
}

export const emptyTile = (): WallTile => ({ camera: null, follow_alarms: false });

/** The tiles for a layout: kept in order, cut or padded with empty ones. */
export function fitTiles(tiles: readonly WallTile[], layout: WallLayout): WallTile[] {
  const n = tileCount(layout);
  return Array.from({ length: n }, (_, i) => tiles[i] ?? emptyTile());
}

/** Puts a camera into tile `index`, or into the first empty tile when index is null (the last one when full). */
export function placeCamera(tiles: readonly WallTile[], code: string, index: number | null): WallTile[] {
  const target = index ?? Math.max(0, tiles.findIndex((t) => t.camera === null && !t.follow_alarms));
  const at = index === null && tiles.every((t) => t.camera !== null || t.follow_alarms) ? tiles.length - 1 : target;
  return tiles.map((t, i) => (i === at ? { camera: code, follow_alarms: false } : t));
}

/** The smallest layout that shows `count` cameras. */
export function layoutFor(count: number): WallLayout {
  return LAYOUTS.find((l) => tileCount(l) >= count) ?? "4x4";
}

/** An alarm that a "follow alarms" tile reacts to: a new one with a position. */
export function followedAlarm(name: string, payload: Record<string, unknown>): { lon: number; lat: number } | null {
  if (!name.startsWith("alarms.") || payload.state !== "new") return null;
  const { lon, lat } = payload;
  return typeof lon === "number" && typeof lat === "number" ? { lon, lat } : null;
}
