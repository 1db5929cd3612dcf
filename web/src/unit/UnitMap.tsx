import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { ActionIcon, useComputedColorScheme } from "@mantine/core";
import { useEffect, useMemo, useRef, useState } from "react";
import type { CityFeatureCollection, CityFeatureProperties } from "../api/types";
import type { Assignment } from "../api/units";
import { drawOrder, minZoomOf, pathStyle, type Scheme } from "../desks/map/baseStyle";
import { useI18n } from "../i18n/I18nProvider";
import { IconCurrentLocation, IconMap } from "../shell/icons";
import { loadBaseMap } from "./baseMap";
import { mapFrame, routeCoordinates, type LonLatPoint } from "./mapFrame";

/** Aksai town centre: the view before anything else is known. */
const AKSAI: LonLatPoint = { lon: 53.011478, lat: 51.173893 };
const ROUTE_COLOR = "#d6336c";

const INCIDENT_ICON = L.divIcon({
  className: "unit-marker-incident",
  html:
    '<svg width="36" height="48" viewBox="0 0 36 48" aria-hidden="true"><path d="M18 1C8.6 1 1 8.6 1 18c0 12.4 17 29 17 29s17-16.6 17-29C35 8.6 27.4 1 18 1z" fill="#e03131" stroke="#fff" stroke-width="2.5"/><circle cx="18" cy="18" r="6.5" fill="#fff"/></svg>',
  iconSize: [36, 48],
  iconAnchor: [18, 47],
});

function meIcon(source: "gps" | "server"): L.DivIcon {
  return L.divIcon({
    className: "",
    html: `<div class="unit-marker-me" data-testid="unit-me-marker" data-source="${source}"></div>`,
    iconSize: [22, 22],
    iconAnchor: [11, 11],
  });
}

function drawBase(collection: CityFeatureCollection, scheme: Scheme, renderer: L.Canvas): L.LayerGroup {
  const group = L.layerGroup();
  const features = (Array.isArray(collection.features) ? collection.features : [])
    .filter((f): f is Feature<Geometry, CityFeatureProperties | null> => !!f?.geometry && f.geometry.type !== "Point" && f.geometry.type !== "MultiPoint")
    // The unit map is a street map: what the district view hides (tracks, paths) is drawn too, but only blocks and streets in town detail.
    .filter((f) => minZoomOf(f.properties) <= 15)
    .sort((a, b) => drawOrder(a.properties) - drawOrder(b.properties));
  for (const feature of features) {
    const style = pathStyle(feature.properties, scheme);
    const weight = feature.properties?.layer === "streets" ? style.weight * 1.6 : style.weight;
    group.addLayer(
      L.geoJSON(feature as Feature, {
        interactive: false,
        style: () => ({ ...style, weight, renderer, interactive: false }),
      }),
    );
  }
  return group;
}

export interface MePoint extends LonLatPoint {
  source: "gps" | "server";
}

/**
 * The route to the incident on the offline city map: base map on canvas (no tile server), the route
 * polyline from the assignment, the incident pin and my position.
 */
export function UnitMap({
  route,
  target,
  me,
  fitKey,
}: {
  route: Assignment["route"];
  target: LonLatPoint | null;
  me: MePoint | null;
  /** Refit the view when this changes (a new assignment). */
  fitKey: number;
}) {
  const { t } = useI18n();
  const scheme = useComputedColorScheme("light", { getInitialValueInEffect: false });
  const element = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const overlay = useRef<{ route: L.Polyline | null; target: L.Marker | null; me: L.Marker | null; meSource: string | null }>({
    route: null,
    target: null,
    me: null,
    meSource: null,
  });
  const [base, setBase] = useState<"loading" | "ok" | "error">("loading");
  const fitted = useRef<number | null>(null);
  // Derived once per route object, so the polyline is redrawn only when the assignment's route changes.
  const coords = useMemo(() => routeCoordinates(route), [route]);
  // The places as numbers: the parent passes new objects on every render, the markers follow the values.
  const targetLon = target?.lon;
  const targetLat = target?.lat;
  const meLon = me?.lon;
  const meLat = me?.lat;
  const meSource = me?.source;

  useEffect(() => {
    if (!element.current) return;
    const map = L.map(element.current, {
      center: [AKSAI.lat, AKSAI.lon],
      zoom: 14,
      minZoom: 9,
      maxZoom: 19,
      zoomControl: false,
      attributionControl: false,
      preferCanvas: true,
    });
    map.createPane("unit-base").style.zIndex = "250";
    L.control.zoom({ position: "bottomright", zoomInTitle: "+", zoomOutTitle: "−" }).addTo(map);
    mapRef.current = map;
    // Leaflet finishes a zoom animation on a timer that reads the map's panes: removing the map before it fires
    // throws ("reading '_leaflet_pos'"), so a map torn down mid-zoom is removed when the zoom ends.
    let zooming = false;
    map.on("zoomanim", () => (zooming = true));
    map.on("zoomend", () => (zooming = false));
    return () => {
      mapRef.current = null;
      overlay.current = { route: null, target: null, me: null, meSource: null };
      map.stop();
      if (zooming) map.once("zoomend", () => map.remove());
      else map.remove();
    };
  }, []);

  // Base map, redrawn in the other palette when the scheme changes.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    let group: L.LayerGroup | null = null;
    let cancelled = false;
    const renderer = L.canvas({ pane: "unit-base", padding: 0.3 });
    loadBaseMap()
      .then((collection) => {
        if (cancelled || !mapRef.current) return;
        group = drawBase(collection, scheme, renderer).addTo(map);
        setBase("ok");
      })
      .catch(() => {
        if (!cancelled) setBase("error");
      });
    return () => {
      cancelled = true;
      group?.remove();
    };
  }, [scheme]);

  // Route polyline.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    overlay.current.route?.remove();
    overlay.current.route = null;
    if (coords.length >= 2) {
      overlay.current.route = L.polyline(
        coords.map(([lon, lat]) => [lat, lon] as L.LatLngTuple),
        { color: ROUTE_COLOR, weight: 7, opacity: 0.9, lineCap: "round", lineJoin: "round", interactive: false },
      ).addTo(map);
    }
  }, [coords]);

  // Incident pin.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    overlay.current.target?.remove();
    overlay.current.target =
      targetLon !== undefined && targetLat !== undefined
        ? L.marker([targetLat, targetLon], { icon: INCIDENT_ICON, keyboard: false, title: t("unit.map.incident") }).addTo(map)
        : null;
  }, [targetLon, targetLat, t]);

  // My position (moved, not recreated, as fixes arrive).
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const o = overlay.current;
    if (meLon === undefined || meLat === undefined || meSource === undefined) {
      o.me?.remove();
      o.me = null;
      o.meSource = null;
      return;
    }
    if (o.me && o.meSource === meSource) o.me.setLatLng([meLat, meLon]);
    else {
      o.me?.remove();
      o.me = L.marker([meLat, meLon], { icon: meIcon(meSource), keyboard: false, interactive: false, zIndexOffset: 500 }).addTo(map);
      o.meSource = meSource;
    }
  }, [meLon, meLat, meSource]);

  const fit = () => {
    const map = mapRef.current;
    if (!map) return;
    const frame = mapFrame(coords, target, me);
    if (!frame) return;
    if (frame.kind === "point") map.setView([frame.lat, frame.lon], 16);
    else map.fitBounds([[frame.south, frame.west], [frame.north, frame.east]], { padding: [36, 36], maxZoom: 17 });
  };

  // Fit once per assignment, as soon as something to show is known.
  useEffect(() => {
    if (fitted.current === fitKey) return;
    if (!route && !target && !me) return;
    fitted.current = fitKey;
    fit();
  });

  const centreOnMe = () => {
    if (me) mapRef.current?.setView([me.lat, me.lon], Math.max(mapRef.current.getZoom(), 16));
  };

  const routePoints = coords.length;
  return (
    <div
      className="unit-map"
      data-testid="unit-map"
      data-base={base}
      data-route-points={routePoints}
      data-me={me?.source ?? "none"}
      aria-label={t("unit.map.label")}
    >
      <div ref={element} style={{ width: "100%", height: "100%" }} />
      <div className="unit-map-overlay">
        <ActionIcon data-testid="unit-map-fit" size={48} variant="default" radius="md" aria-label={t("unit.map.fit")} title={t("unit.map.fit")} onClick={fit}>
          <IconMap size={26} />
        </ActionIcon>
        <ActionIcon
          data-testid="unit-map-me"
          size={48}
          variant="default"
          radius="md"
          aria-label={t("unit.map.me")}
          title={t("unit.map.me")}
          disabled={!me}
          onClick={centreOnMe}
        >
          <IconCurrentLocation size={26} />
        </ActionIcon>
      </div>
      {(base === "error" || routePoints < 2) && (
        <div className="unit-map-note" data-testid="unit-map-note">
          {base === "error" ? t("unit.map.offline") : t("unit.map.noRoute")}
        </div>
      )}
    </div>
  );
}
