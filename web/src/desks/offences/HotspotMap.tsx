import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature } from "geojson";
import { useEffect, useRef } from "react";
import type { StatsHotspots } from "../../api/statistics";
import { useStreetLines } from "../map/streetLines";
import { cellBounds, cellColour } from "./figures";

/**
 * Gi* cells over the city's streets (no tiles): unsafe red, unsafe at certain hours amber, safe cells left clear so
 * the streets stay readable. The view fits the cells when they first arrive.
 */
export function HotspotMap({ hotspots, streets, describe, height = 440 }: {
  hotspots: StatsHotspots | null;
  streets: readonly Feature[] | null;
  describe: (cell: StatsHotspots["cells"][number]) => string;
  height?: number;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const cellLayer = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  // Cells as SVG so that tests and styles can tell them apart (data-level); the streets draw on their own canvas.
  const svg = useRef<L.Renderer | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: true, attributionControl: false, preferCanvas: true });
    created.setView([51.1739, 53.0115], 13);
    map.current = created;
    svg.current = L.svg();
    cellLayer.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
      fitted.current = false;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = cellLayer.current;
    if (!m || !group) return;
    group.clearLayers();
    if (!hotspots) return;
    const bounds = L.latLngBounds([]);
    for (const cell of hotspots.cells) {
      const box = cellBounds(cell.lon, cell.lat, hotspots.cell_m);
      bounds.extend(box);
      const colour = cellColour(cell);
      if (!colour) continue;
      const rect = L.rectangle(box, { renderer: svg.current ?? undefined, color: colour, weight: 0, fillColor: colour, fillOpacity: 0.55 });
      rect.bindTooltip(describe(cell));
      group.addLayer(rect);
      rect.getElement()?.setAttribute("data-level", cell.level ?? "z");
    }
    if (!fitted.current && bounds.isValid()) {
      m.fitBounds(bounds, { padding: [20, 20] });
      fitted.current = true;
    }
  }, [hotspots, describe]);

  return <div ref={host} style={{ height, width: "100%", borderRadius: 4 }} data-testid="offences-hotspot-map" />;
}
