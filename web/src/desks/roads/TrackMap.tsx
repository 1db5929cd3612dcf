import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature } from "geojson";
import { useEffect, useRef } from "react";
import type { TrackPoint } from "../../api/roads";
import { useStreetLines } from "../map/streetLines";

/** "Where was it": the cameras that read one plate, numbered in time order and joined by a line, over the streets. */
export function TrackMap({ points, streets, label, height = 380 }: {
  points: readonly TrackPoint[];
  streets: readonly Feature[] | null;
  label: (point: TrackPoint, index: number) => string;
  height?: number;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: true, attributionControl: false });
    created.setView([51.1739, 53.0115], 13);
    map.current = created;
    layer.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = layer.current;
    if (!m || !group) return;
    group.clearLayers();
    const placed = points.filter((p) => p.lat !== null && p.lon !== null);
    const path = placed.map((p) => L.latLng(p.lat as number, p.lon as number));
    if (path.length > 1) L.polyline(path, { color: "#e8590c", weight: 3, dashArray: "6 6" }).addTo(group);
    placed.forEach((p, i) => {
      L.circleMarker(L.latLng(p.lat as number, p.lon as number), { radius: 8, color: "#c92a2a", fillOpacity: 0.8 })
        .bindTooltip(label(p, i), { permanent: i === placed.length - 1 })
        .addTo(group);
    });
    if (path.length) m.fitBounds(L.latLngBounds(path), { padding: [30, 30], maxZoom: 15 });
  }, [points, label]);

  return <div ref={host} style={{ height, width: "100%" }} data-testid="roads-track-map" />;
}
