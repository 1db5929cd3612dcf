import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature } from "geojson";
import { useEffect, useRef, useState } from "react";
import { fetchCityMap } from "../api/endpoints";
import { useStreetLines } from "../desks/map/streetLines";

/** The city's streets, loaded once per tab for the calls' small maps. */
let streetsOnce: Promise<Feature[] | null> | null = null;

function loadStreets(): Promise<Feature[] | null> {
  streetsOnce ??= fetchCityMap(["streets"])
    .then((map) => (map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[])
    .catch(() => {
      streetsOnce = null; // try again with the next call
      return null;
    });
  return streetsOnce;
}

/** Where the caller is: a marker on a small map over the streets. */
export function CallMap({ lon, lat, height = 160 }: { lon: number; lat: number; height?: number }) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const [streets, setStreets] = useState<Feature[] | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const created = L.map(host.current, { zoomControl: false, attributionControl: false });
    map.current = created;
    marker.current = L.circleMarker([0, 0], { radius: 9, color: "#c92a2a", fillOpacity: 0.85 }).addTo(created);
    let alive = true;
    void loadStreets().then((found) => { if (alive) setStreets(found); });
    return () => {
      alive = false;
      created.remove();
      map.current = null;
    };
  }, []);

  useStreetLines(map, streets);

  useEffect(() => {
    marker.current?.setLatLng([lat, lon]);
    map.current?.setView([lat, lon], 16);
  }, [lon, lat]);

  return <div ref={host} style={{ height, width: "100%" }} data-testid="voice-call-map" data-lon={lon} data-lat={lat} />;
}
