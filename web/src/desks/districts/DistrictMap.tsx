import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { useEffect, useRef } from "react";
import { useStreetLines } from "../map/streetLines";

/** One polygon to draw: its label, fill colour and whether it is the selected one. */
export interface MapDistrict {
  id: number;
  label: string;
  colour: string;
  geometry: Geometry;
  selected?: boolean;
}

/**
 * District polygons over the town's streets, on a map of its own (no tiles: the streets come from the city model).
 * Clicking a polygon selects it; the view fits the districts when they first arrive.
 */
export function DistrictMap({ districts, streets, onSelect, height = 460, testId }: {
  districts: readonly MapDistrict[];
  streets: readonly Feature[] | null;
  onSelect?: (id: number) => void;
  height?: number;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const districtLayer = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  const select = useRef(onSelect);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    if (!host.current) return;
    // Districts are SVG (few, clickable, testable); the many street lines go on a canvas of their own.
    const created = L.map(host.current, { zoomControl: true, attributionControl: false });
    created.setView([51.1739, 53.0115], 13);
    map.current = created;
    districtLayer.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
      fitted.current = false;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = districtLayer.current;
    if (!m || !group) return;
    group.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const d of districts) {
      const layer = L.geoJSON({ type: "Feature", geometry: d.geometry, properties: {} } as Feature, {
        style: () => ({
          color: d.selected ? "#1c7ed6" : "#343a40",
          weight: d.selected ? 3 : 1.5,
          fillColor: d.colour,
          fillOpacity: d.selected ? 0.55 : 0.35,
        }),
      });
      layer.on("click", () => select.current?.(d.id));
      layer.bindTooltip(d.label, { permanent: true, direction: "center", className: "district-label" });
      group.addLayer(layer);
      layer.eachLayer((l) => {
        const el = (l as L.Path).getElement?.();
        if (el) el.setAttribute("data-district", String(d.id));
      });
      bounds.extend(layer.getBounds());
    }
    if (!fitted.current && bounds.isValid()) {
      m.fitBounds(bounds, { padding: [10, 10] });
      fitted.current = true;
    }
  }, [districts]);

  return <div ref={host} style={{ height, width: "100%", borderRadius: 4 }} data-testid={testId ?? "district-map"} />;
}
