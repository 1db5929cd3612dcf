import * as L from "leaflet";
import type { Feature } from "geojson";
import { useEffect, useRef, useState, type RefObject } from "react";

/**
 * The city model's streets as thin grey lines under a desk's own map (no tiles), drawn on a canvas of their own
 * (thousands of lines; the desk's few shapes stay SVG and clickable) and redrawn when the streets change. Call it
 * after the effect that creates the map, so that the map exists when this runs.
 */
export function useStreetLines(map: RefObject<L.Map | null>, streets: readonly Feature[] | null): void {
  const layer = useRef<L.GeoJSON | null>(null);
  const [canvas] = useState(() => L.canvas());
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    layer.current?.remove();
    layer.current = null;
    if (!streets) return;
    layer.current = L.geoJSON({ type: "FeatureCollection", features: [...streets] } as GeoJSON.FeatureCollection, {
      interactive: false,
      style: () => ({ color: "#868e96", weight: 1, opacity: 0.6, renderer: canvas }),
    }).addTo(m);
    layer.current.bringToBack();
  }, [map, streets, canvas]);
}
