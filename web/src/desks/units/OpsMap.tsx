import "leaflet/dist/leaflet.css";

import { useComputedColorScheme } from "@mantine/core";
import type { Feature, Geometry } from "geojson";
import * as L from "leaflet";
import { useEffect, useEffectEvent, useRef } from "react";
import { fetchCityMap } from "../../api/endpoints";
import type { CityFeatureCollection, CityFeatureProperties } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import type { Language } from "../../i18n/languages";
import { streetLabels } from "../alarms/place";
import { PALETTES, drawOrder, pathStyle, type Scheme } from "../map/baseStyle";
import { AKSAI_CENTRE } from "../map/MapView";

/**
 * A small operational map for the desks: the district's boundary, settlements and streets on canvas (the same
 * cartography as the map desk), point markers (alarms, incidents, units, cameras) and an optional route.
 */

export interface OpsMarker {
  /** Stable key: markers with the same key are moved rather than recreated (units moving live). */
  key: string;
  lon: number;
  lat: number;
  color: string;
  label: string;
  /** data-testid of the marker's element. */
  testId: string;
  /** Extra data-* attributes of the marker's element (without the prefix). */
  data?: Record<string, string>;
  shape?: "dot" | "square";
  onClick?: () => void;
}

export interface OpsMapProps {
  markers: readonly OpsMarker[];
  /** [lon, lat] pairs of a route to draw. */
  route?: readonly (readonly [number, number])[] | null;
  /** Fit the view to these points whenever this key changes. */
  fitKey?: string;
  fitPoints?: readonly (readonly [number, number])[];
  height?: number | string;
  testId: string;
  /** Write the streets' names (in the interface language) once zoomed in to a few blocks. */
  streetNames?: boolean;
}

const STREET_NAMES_ZOOM = 15;

const BASE_LAYERS = ["boundary", "settlements", "streets"] as const;
let basePromise: Promise<CityFeatureCollection> | null = null;

function loadBase(): Promise<CityFeatureCollection> {
  basePromise ??= fetchCityMap(BASE_LAYERS).catch((error: unknown) => {
    basePromise = null;
    throw error;
  });
  return basePromise;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function markerHtml(marker: OpsMarker): string {
  const data = Object.entries(marker.data ?? {})
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join("");
  const radius = marker.shape === "square" ? "3px" : "50%";
  return (
    `<div data-testid="${escapeHtml(marker.testId)}"${data} title="${escapeHtml(marker.label)}" class="ops-marker" ` +
    `style="width:16px;height:16px;border-radius:${radius};background:${marker.color};border:2px solid #fff;` +
    `box-shadow:0 0 3px rgba(0,0,0,.6)"></div>`
  );
}

/** Street names shown from STREET_NAMES_ZOOM on; returns what removes them. */
function drawStreetNames(map: L.Map, collection: CityFeatureCollection, lang: Language): () => void {
  const group = L.layerGroup();
  for (const label of streetLabels(collection, lang)) {
    const text = document.createElement("span");
    text.className = "map-label-text map-label-street";
    text.textContent = label.text;
    group.addLayer(L.marker([label.lat, label.lon], {
      interactive: false, keyboard: false, icon: L.divIcon({ className: "map-label", html: text, iconSize: [0, 0] }),
    }));
  }
  const follow = () => {
    if (map.getZoom() >= STREET_NAMES_ZOOM) group.addTo(map);
    else group.remove();
  };
  map.on("zoomend", follow);
  follow();
  return () => {
    map.off("zoomend", follow);
    group.remove();
  };
}

function drawBase(map: L.Map, collection: CityFeatureCollection, scheme: Scheme): L.LayerGroup {
  const renderer = L.canvas({ padding: 0.3 });
  const group = L.layerGroup();
  const palette = PALETTES[scheme];
  const features = (Array.isArray(collection.features) ? collection.features : [])
    .filter((f): f is Feature<Geometry, CityFeatureProperties | null> => !!f && !!f.geometry)
    .sort((a, b) => drawOrder(a.properties) - drawOrder(b.properties));
  for (const feature of features) {
    const style = pathStyle(feature.properties, scheme);
    group.addLayer(
      L.geoJSON(feature as Feature, {
        interactive: false,
        style: () => ({ ...style, renderer, interactive: false }),
        pointToLayer: (_p, latlng) =>
          L.circleMarker(latlng, { renderer, radius: 3, color: palette.labelHalo, weight: 1, fillColor: palette.settlementDot, fillOpacity: 1 }),
      }),
    );
  }
  group.addTo(map);
  return group;
}

export function OpsMap({ markers, route, fitKey, fitPoints, height = 260, testId, streetNames = false }: OpsMapProps) {
  const { lang } = useI18n();
  const scheme = useComputedColorScheme("dark", { getInitialValueInEffect: false }) as Scheme;
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<L.Map | null>(null);
  const markersRef = useRef(new Map<string, { marker: L.Marker; html: string }>());
  const routeRef = useRef<L.Polyline | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const map = L.map(container, { zoomControl: true, attributionControl: false, minZoom: 7, maxZoom: 19 });
    map.setView([AKSAI_CENTRE[1], AKSAI_CENTRE[0]], 13);
    mapRef.current = map;
    const known = markersRef.current;
    const observer = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => map.invalidateSize()) : null;
    observer?.observe(container);
    return () => {
      observer?.disconnect();
      known.clear();
      routeRef.current = null;
      map.remove();
      mapRef.current = null;
    };
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    let cancelled = false;
    let base: L.LayerGroup | null = null;
    let names: (() => void) | null = null;
    if (containerRef.current) containerRef.current.style.background = PALETTES[scheme].background;
    loadBase()
      .then((collection) => {
        if (cancelled || !mapRef.current) return;
        base = drawBase(mapRef.current, collection, scheme);
        if (streetNames) names = drawStreetNames(mapRef.current, collection, lang);
      })
      .catch(() => undefined); // the overlays stay useful without the base map
    return () => {
      cancelled = true;
      base?.remove();
      names?.();
    };
  }, [scheme, streetNames, lang]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const known = markersRef.current;
    const seen = new Set<string>();
    for (const marker of markers) {
      seen.add(marker.key);
      const html = markerHtml(marker);
      const latlng = L.latLng(marker.lat, marker.lon);
      const existing = known.get(marker.key);
      if (existing) {
        existing.marker.setLatLng(latlng);
        if (existing.html !== html) {
          existing.marker.setIcon(L.divIcon({ html, className: "ops-marker-icon", iconSize: [16, 16] }));
          existing.html = html;
        }
        existing.marker.off("click");
        if (marker.onClick) existing.marker.on("click", marker.onClick);
      } else {
        const created = L.marker(latlng, {
          icon: L.divIcon({ html, className: "ops-marker-icon", iconSize: [16, 16] }),
          keyboard: false,
          title: marker.label,
        }).addTo(map);
        if (marker.onClick) created.on("click", marker.onClick);
        known.set(marker.key, { marker: created, html });
      }
    }
    for (const [key, entry] of known) {
      if (!seen.has(key)) {
        entry.marker.remove();
        known.delete(key);
      }
    }
  }, [markers]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    routeRef.current?.remove();
    routeRef.current = null;
    if (route && route.length > 1) {
      routeRef.current = L.polyline(
        route.map(([lon, lat]) => L.latLng(lat, lon)),
        { color: "#4dabf7", weight: 5, opacity: 0.9, className: "ops-route" },
      ).addTo(map);
    }
  }, [route]);

  // Fits the view to the points of the moment: an effect event, so that only a new key refits (live moves must not
  // yank the view).
  const fit = useEffectEvent(() => {
    const map = mapRef.current;
    if (!map || !fitPoints || fitPoints.length === 0) return;
    if (fitPoints.length === 1) {
      map.setView([fitPoints[0][1], fitPoints[0][0]], 16);
    } else {
      map.fitBounds(L.latLngBounds(fitPoints.map(([lon, lat]) => L.latLng(lat, lon))), { padding: [24, 24], maxZoom: 17 });
    }
  });
  useEffect(() => fit(), [fitKey]);

  return (
    <div
      ref={containerRef}
      data-testid={testId}
      data-route={route && route.length > 1 ? "drawn" : "none"}
      style={{ height, width: "100%", borderRadius: 4, overflow: "hidden" }}
    />
  );
}
