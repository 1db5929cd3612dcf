import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { useEffect, useRef } from "react";
import { useStreetLines } from "../map/streetLines";

export interface PickerDistrict {
  id: number;
  label: string;
  geometry: Geometry;
}

/**
 * A small map of the districts over the town's streets where a click places the appeal's point (no tiles, as on
 * the districts desk). The marker is a plain circle so no icon images are needed.
 */
export function PointPicker({ districts, streets, point, onPick, height = 300 }: {
  districts: readonly PickerDistrict[];
  streets: readonly Feature[] | null;
  point: { lon: number; lat: number } | null;
  onPick: (lon: number, lat: number) => void;
  height?: number;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const shapes = useRef<L.LayerGroup | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const pick = useRef(onPick);
  useEffect(() => {
    pick.current = onPick;
  }, [onPick]);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: true, attributionControl: false });
    created.setView([51.1739, 53.0115], 13);
    created.on("click", (e: L.LeafletMouseEvent) => pick.current(e.latlng.lng, e.latlng.lat));
    map.current = created;
    shapes.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
      marker.current = null;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = shapes.current;
    if (!m || !group) return;
    group.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const d of districts) {
      // Not interactive: a click on a district must reach the map and place the point.
      const layer = L.geoJSON({ type: "Feature", geometry: d.geometry, properties: {} } as Feature, {
        interactive: false, style: () => ({ color: "#343a40", weight: 1, fillColor: "#74c0fc", fillOpacity: 0.15 }),
      });
      layer.bindTooltip(d.label, { permanent: true, direction: "center", className: "district-label" });
      group.addLayer(layer);
      bounds.extend(layer.getBounds());
    }
    if (bounds.isValid()) m.fitBounds(bounds, { padding: [6, 6] });
  }, [districts]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    marker.current?.remove();
    marker.current = point ? L.circleMarker([point.lat, point.lon], { radius: 7, color: "#c92a2a", fillOpacity: 0.9 }).addTo(m) : null;
  }, [point]);

  return <div ref={host} style={{ height, width: "100%", borderRadius: 4, cursor: "crosshair" }} data-testid="appeal-point-map" />;
}
