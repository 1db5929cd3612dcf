import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature, Position } from "geojson";
import { useEffect, useRef } from "react";
import { useStreetLines } from "../map/streetLines";
import { midpoint, polygonsOf, type Draft, type VertexRef } from "./editing";

export interface EditHandlers {
  onSelect: (number: number) => void;
  onMove: (ref: VertexRef, to: Position) => void;
  onInsert: (ref: VertexRef, at: Position) => void;
  onPick: (ref: VertexRef) => void;
  onDelete: (ref: VertexRef) => void;
}

const vertexIcon = (picked: boolean) => L.divIcon({
  className: picked ? "district-vertex district-vertex-picked" : "district-vertex",
  html: `<div style="width:12px;height:12px;border-radius:6px;border:2px solid #1c7ed6;background:${picked ? "#fa5252" : "#fff"}"></div>`,
  iconSize: [12, 12],
  iconAnchor: [6, 6],
});
const midpointIcon = L.divIcon({
  className: "district-midpoint",
  html: '<div style="width:9px;height:9px;border-radius:5px;border:1px solid #1c7ed6;background:#a5d8ff;opacity:.8"></div>',
  iconSize: [9, 9],
  iconAnchor: [4, 4],
});

const latLng = (p: Position) => L.latLng(p[1], p[0]);
const refKey = (r: VertexRef) => `${r.polygon}-${r.ring}-${r.index}`;

/**
 * The draft districts on a map of their own; the selected district shows its vertices as handles. Drag a vertex to
 * move it, drag (or click) the small handle in an edge's middle to add a vertex there, click a vertex to pick it and
 * double-click (or right-click) to delete it. Districts with problems are outlined in red.
 */
export function EditMap({ draft, selected, picked, faulty, streets, handlers, height = 520 }: {
  draft: Draft;
  selected: number | null;
  picked: VertexRef | null;
  faulty: ReadonlySet<number>;
  streets: readonly Feature[] | null;
  handlers: EditHandlers;
  height?: number;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const shapes = useRef<L.LayerGroup | null>(null);
  const handles = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  const act = useRef(handlers);
  useEffect(() => {
    act.current = handlers;
  }, [handlers]);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: true, attributionControl: false, doubleClickZoom: false });
    created.setView([51.1739, 53.0115], 14);
    map.current = created;
    shapes.current = L.layerGroup().addTo(created);
    handles.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
      fitted.current = false;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = shapes.current;
    if (!m || !group) return;
    group.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const feature of draft.features) {
      const number = feature.properties.number;
      const chosen = number === selected;
      const layer = L.geoJSON(feature as Feature, {
        style: () => ({
          color: faulty.has(number) ? "#e03131" : chosen ? "#1c7ed6" : "#343a40",
          weight: chosen || faulty.has(number) ? 3 : 1.5,
          fillColor: chosen ? "#74c0fc" : "#ced4da",
          fillOpacity: chosen ? 0.35 : 0.2,
        }),
      });
      layer.on("click", () => act.current.onSelect(number));
      layer.bindTooltip(String(number), { permanent: true, direction: "center", className: "district-label" });
      group.addLayer(layer);
      layer.eachLayer((l) => (l as L.Path).getElement?.()?.setAttribute("data-edit-district", String(number)));
      bounds.extend(layer.getBounds());
    }
    if (!fitted.current && bounds.isValid()) {
      m.fitBounds(bounds, { padding: [10, 10] });
      fitted.current = true;
    }
  }, [draft, selected, faulty]);

  useEffect(() => {
    const group = handles.current;
    if (!group) return;
    group.clearLayers();
    const feature = draft.features.find((f) => f.properties.number === selected);
    if (!feature) return;
    polygonsOf(feature.geometry).forEach((rings, polygon) => rings.forEach((ring, ringIndex) => {
      for (let index = 0; index < ring.length - 1; index++) {
        const ref: VertexRef = { polygon, ring: ringIndex, index };
        const isPicked = picked !== null && refKey(picked) === refKey(ref);
        const vertex = L.marker(latLng(ring[index]), { icon: vertexIcon(isPicked), draggable: true, keyboard: false });
        // While dragging, a dashed line from the previous vertex through the handle to the next shows the new edges.
        const before = ring[index === 0 ? ring.length - 2 : index - 1];
        const after = ring[index + 1];
        const band = L.polyline([], { color: "#1c7ed6", weight: 2, dashArray: "4 4", interactive: false });
        vertex.on("dragstart", () => group.addLayer(band));
        vertex.on("drag", () => band.setLatLngs([latLng(before), vertex.getLatLng(), latLng(after)]));
        vertex.on("dragend", () => {
          group.removeLayer(band);
          const at = vertex.getLatLng();
          act.current.onMove(ref, [at.lng, at.lat]);
        });
        vertex.on("click", () => act.current.onPick(ref));
        vertex.on("dblclick contextmenu", () => act.current.onDelete(ref));
        group.addLayer(vertex);
        vertex.getElement()?.setAttribute("data-vertex", refKey(ref));
        const middle = L.marker(latLng(midpoint(ring[index], ring[index + 1])), { icon: midpointIcon, draggable: true, keyboard: false });
        middle.on("dragend", () => {
          const at = middle.getLatLng();
          act.current.onInsert(ref, [at.lng, at.lat]);
        });
        middle.on("click", () => act.current.onInsert(ref, midpoint(ring[index], ring[index + 1])));
        group.addLayer(middle);
        middle.getElement()?.setAttribute("data-midpoint", refKey(ref));
      }
    }));
  }, [draft, selected, picked]);

  return <div ref={host} style={{ height, width: "100%", borderRadius: 4 }} data-testid="district-edit-map" />;
}
