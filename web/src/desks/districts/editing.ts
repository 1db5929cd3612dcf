import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";

/**
 * Pure edits of a draft district set (a FeatureCollection as /api/districts/export writes it): move, add and
 * delete a polygon's vertices. Neighbouring districts share their boundary vertices exactly, so by default an edit
 * is applied to every district holding the same vertex (or edge): the shared boundary moves as one line, and no
 * gap or overlap opens between neighbours. Each function returns a new collection and leaves its input alone.
 */

export type DistrictGeometry = Polygon | MultiPolygon;
export type DraftFeature = Feature<DistrictGeometry, { number: number } & Record<string, unknown>>;
export type Draft = FeatureCollection<DistrictGeometry, DraftFeature["properties"]> & { area?: unknown };

/** Where a vertex lies in a district's geometry: polygon (0 for a Polygon), ring, index in the ring. */
export interface VertexRef {
  polygon: number;
  ring: number;
  index: number;
}

/** A ring keeps at least three corners (four positions with the closing one). */
const MIN_RING = 4;

export function polygonsOf(geometry: DistrictGeometry): Position[][][] {
  return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
}

const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

function copy(draft: Draft): Draft {
  return structuredClone(draft);
}

function featureOf(draft: Draft, number: number): DraftFeature {
  const found = draft.features.find((f) => f.properties.number === number);
  if (!found) throw new Error(`district ${number} is not in the draft`);
  return found as DraftFeature;
}

function ringAt(feature: DraftFeature, ref: VertexRef): Position[] {
  const ring = polygonsOf(feature.geometry)[ref.polygon]?.[ref.ring];
  if (!ring) throw new Error("no such ring");
  return ring;
}

/** Every ring of the features the edit applies to: the district's own, or every district's when shared. */
function ringsFor(draft: Draft, number: number, shared: boolean): Position[][] {
  const features = shared ? draft.features : [featureOf(draft, number)];
  return features.flatMap((f) => polygonsOf(f.geometry).flat());
}

/** The vertex's position (index into the ring without its closing duplicate). */
export function vertexAt(draft: Draft, number: number, ref: VertexRef): Position {
  return ringAt(featureOf(draft, number), ref)[ref.index];
}

/** Move a vertex to ``to``; with ``shared``, the same vertex of the neighbouring districts moves with it. */
export function moveVertex(draft: Draft, number: number, ref: VertexRef, to: Position, shared = true): Draft {
  const next = copy(draft);
  const from = [...ringAt(featureOf(next, number), ref)[ref.index]];
  for (const ring of ringsFor(next, number, shared)) {
    for (let i = 0; i < ring.length; i++) if (same(ring[i], from)) ring[i] = [to[0], to[1]];
  }
  return next;
}

/**
 * Add a vertex at ``at`` on the edge from ``ref`` to the next vertex; with ``shared``, the neighbour whose ring
 * holds the same edge (in either direction) gets it too, so the shared boundary stays one line.
 */
export function insertVertex(draft: Draft, number: number, ref: VertexRef, at: Position, shared = true): Draft {
  const next = copy(draft);
  const own = ringAt(featureOf(next, number), ref);
  const a = [...own[ref.index]];
  const b = [...own[ref.index + 1]];
  for (const ring of ringsFor(next, number, shared)) {
    for (let i = 0; i < ring.length - 1; i++) {
      if ((same(ring[i], a) && same(ring[i + 1], b)) || (same(ring[i], b) && same(ring[i + 1], a))) {
        ring.splice(i + 1, 0, [at[0], at[1]]);
        break;
      }
    }
  }
  return next;
}

/** Whether a vertex may be deleted: its ring keeps at least three corners everywhere it is removed. */
export function canDelete(draft: Draft, number: number, ref: VertexRef, shared = true): boolean {
  const point = vertexAt(draft, number, ref);
  return ringsFor(draft, number, shared).every((ring) => {
    const hits = ring.slice(0, -1).filter((p) => same(p, point)).length;
    return hits === 0 || ring.length - hits >= MIN_RING;
  });
}

/** Delete a vertex (from the neighbours too with ``shared``); the ring's closing position follows its first. */
export function deleteVertex(draft: Draft, number: number, ref: VertexRef, shared = true): Draft {
  if (!canDelete(draft, number, ref, shared)) return draft;
  const next = copy(draft);
  const point = [...vertexAt(next, number, ref)];
  for (const ring of ringsFor(next, number, shared)) {
    const open = ring.slice(0, -1).filter((p) => !same(p, point));
    if (open.length === ring.length - 1) continue;
    ring.splice(0, ring.length, ...open, [...open[0]]);
  }
  return next;
}

/** The midpoint of the edge from a vertex to the next one: where a new vertex is offered. */
export function midpoint(a: Position, b: Position): Position {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

/** Whether any district's polygon differs from the original's. */
export function isChanged(draft: Draft, original: Draft): boolean {
  return JSON.stringify(draft.features.map((f) => f.geometry)) !== JSON.stringify(original.features.map((f) => f.geometry));
}
