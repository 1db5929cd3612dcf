import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature } from "geojson";
import { useEffect, useRef } from "react";
import { useStreetLines } from "../map/streetLines";
import type { Isochrones, PolicePoint, UncoveredCluster } from "../../api/coverage";
import { drawOrder, levelColour, levelKey } from "./figures";

/**
 * Isochrones over the streets of the city model (no tiles), the police points, the largest uncovered clusters
 * and the sites a placement chose. The view fits the isochrones when they first arrive.
 */
export function CoverageMap({ isochrones, shown, walkMinutes, streets, points, uncovered, chosen, pointLabel, height = 520 }: {
  isochrones: Isochrones | null;
  shown: ReadonlySet<string>;
  walkMinutes: readonly number[];
  streets: readonly Feature[] | null;
  points: readonly PolicePoint[];
  uncovered: readonly UncoveredCluster[];
  chosen: readonly { lon: number; lat: number }[];
  pointLabel: (point: PolicePoint) => string;
  height?: number;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const areaLayer = useRef<L.LayerGroup | null>(null);
  const markerLayer = useRef<L.LayerGroup | null>(null);
  const fitted = useRef(false);
  // Streets on canvas (thousands of lines); isochrones and markers as SVG, a few elements each, so they can be
  // told apart (data-isochrone, .coverage-chosen) by tests and styles.
  const svg = useRef<L.Renderer | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: true, attributionControl: false, preferCanvas: true });
    created.setView([51.1739, 53.0115], 13);
    map.current = created;
    svg.current = L.svg();
    areaLayer.current = L.layerGroup().addTo(created);
    markerLayer.current = L.layerGroup().addTo(created);
    return () => {
      created.remove();
      map.current = null;
      fitted.current = false;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    const m = map.current;
    const group = areaLayer.current;
    if (!m || !group) return;
    group.clearLayers();
    if (!isochrones) return;
    const bounds = L.latLngBounds([]);
    for (const feature of drawOrder(isochrones.features.map((f) => ({ ...f.properties, feature: f })), shown)) {
      const colour = levelColour(feature, walkMinutes);
      // GeoJSON hands its options to each polygon, renderer included (its typings do not say so).
      const options: L.GeoJSONOptions & { renderer?: L.Renderer } = {
        interactive: false,
        renderer: svg.current ?? undefined,
        style: () => ({ color: colour, weight: 1, fillColor: colour, fillOpacity: feature.mode === "drive" ? 0.15 : 0.3 }),
      };
      const layer = L.geoJSON(feature.feature as Feature, options);
      group.addLayer(layer);  // the SVG paths exist once the layer is on the map
      layer.eachLayer((l) => {
        const el = (l as L.Path).getElement?.();
        if (el) el.setAttribute("data-isochrone", levelKey(feature));
      });
      if (feature.mode === "walk") bounds.extend(layer.getBounds());
    }
    if (!fitted.current && bounds.isValid()) {
      m.fitBounds(bounds, { padding: [20, 20] });
      fitted.current = true;
    }
  }, [isochrones, shown, walkMinutes]);

  useEffect(() => {
    const group = markerLayer.current;
    if (!group) return;
    group.clearLayers();
    for (const cluster of uncovered) {
      const area: L.GeoJSONOptions & { renderer?: L.Renderer } = {
        renderer: svg.current ?? undefined,
        style: () => ({ color: "#c92a2a", weight: 2, dashArray: "4 3", fillColor: "#fa5252", fillOpacity: 0.2 }),
      };
      group.addLayer(L.geoJSON({ type: "Feature", geometry: cluster.geometry, properties: {} } as Feature, area)
        .bindTooltip(`${cluster.residents.toLocaleString()} · ${cluster.settlement ?? ""}`));
    }
    for (const point of points) {
      group.addLayer(L.circleMarker([point.lat, point.lon], {
        renderer: svg.current ?? undefined, radius: 6, color: "#1864ab", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
      }).bindTooltip(pointLabel(point)));
    }
    chosen.forEach((site, index) => {
      group.addLayer(L.circleMarker([site.lat, site.lon], {
        renderer: svg.current ?? undefined, radius: 8, color: "#5f3dc4", weight: 3, fillColor: "#b197fc", fillOpacity: 0.9, className: "coverage-chosen",
      }).bindTooltip(`+${index + 1}`, { permanent: true, direction: "top" }));
    });
  }, [points, uncovered, chosen, pointLabel]);

  return <div ref={host} style={{ height, width: "100%", borderRadius: 4 }} data-testid="coverage-map" />;
}
