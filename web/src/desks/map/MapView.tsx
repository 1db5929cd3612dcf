import "leaflet/dist/leaflet.css";

import * as L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { useEffect, useEffectEvent, useRef } from "react";
import Supercluster, { type ClusterProperties } from "supercluster";
import type { CityFeatureCollection, CityFeatureProperties, DeviceHealth } from "../../api/types";
import type { Language } from "../../i18n/languages";
import {
  PALETTES,
  casingStyle,
  casingWeight,
  drawOrder,
  labelMinZoom,
  minZoomOf,
  pathStyle,
  settlementRadius,
  settlementRank,
  streetClass,
  type Scheme,
} from "./baseStyle";
import { labelPoint, type LonLat } from "./geometry";
import { MARKER_SIZE, clusterBadgeHtml, clusterSize, deviceMarkerSvg } from "./markers";
import {
  HEALTH_RANK,
  emptyHealthCounts,
  localName,
  normaliseHealth,
  worstOfCounts,
  type HealthCounts,
  type MapDevice,
} from "./model";

/** Aksai town centre (OSM node 435393175): the view before the city model has loaded. */
export const AKSAI_CENTRE: LonLat = [53.011478, 51.173893];
const MIN_ZOOM = 7;
const MAX_ZOOM = 19;
/** Supercluster radius is in 512-px tile units: 80 ≈ 40 screen pixels on Leaflet's 256-px grid. */
const CLUSTER_RADIUS = 80;
/** Metres shown around a town known only as a point. */
const TOWN_SPAN_M = 5000;

export type MapCommand =
  /** `offsetX`: put the point that many pixels left of the centre (to clear a card on the right). */
  | { type: "fly"; lon: number; lat: number; zoom: number; offsetX?: number; seq: number }
  | { type: "district"; seq: number }
  | { type: "town"; seq: number };

export interface MapPin {
  lon: number;
  lat: number;
  label: string;
}

export interface MapViewProps {
  base: CityFeatureCollection | null;
  /** The devices to show (already filtered by the layer toggles). */
  devices: readonly MapDevice[];
  scheme: Scheme;
  lang: Language;
  selectedCode: string | null;
  /** The selected device: drawn on its own, never inside a cluster (even when its layer is off). */
  selectedDevice: MapDevice | null;
  /** Field-of-view ring of the selected camera; `assumed`: drawn from default optics (dashed). */
  wedge: { ring: LonLat[]; assumed: boolean } | null;
  pin: MapPin | null;
  command: MapCommand | null;
  attribution: string | null;
  /** Pixels on the right covered by a card: fitting the town or district leaves them free. */
  rightInset: number;
  onSelectDevice: (code: string) => void;
  /** A cluster that cannot be split further by zooming (devices at one spot). */
  onClusterList: (codes: string[]) => void;
  deviceTitle: (device: MapDevice) => string;
  clusterTitle: (count: number, counts: HealthCounts) => string;
}

interface ClusterProps {
  counts: HealthCounts;
}

type PointProps = { code: string };

/** Panes from bottom to top; each canvas pane has its own renderer so toggling by zoom keeps the order. */
const BASE_PANES = [
  { name: "base-areas", z: 210 },
  { name: "base-districts", z: 220 },
  { name: "base-casing", z: 225 },
  { name: "base-minor", z: 230 },
  { name: "base-major", z: 240 },
  { name: "base-top", z: 250 },
] as const;
type BasePane = (typeof BASE_PANES)[number]["name"];

function paneOf(props: CityFeatureProperties | null | undefined, geometry: Geometry | null): BasePane {
  switch (props?.layer) {
    case "settlements":
      return geometry?.type === "Point" || geometry?.type === "MultiPoint" ? "base-top" : "base-areas";
    case "blocks":
      return "base-areas";
    case "microdistricts":
      return "base-districts";
    case "streets": {
      const cls = streetClass(props.highway);
      return cls === "minor" || cls === "service" || cls === "track" ? "base-minor" : "base-major";
    }
    default:
      return "base-top";
  }
}

/** Streets grow thicker as one zooms in. */
function streetScale(zoom: number): number {
  if (zoom <= 11) return 0.7;
  if (zoom <= 13) return 1;
  if (zoom <= 15) return 1.5;
  if (zoom <= 17) return 2.2;
  return 3;
}

interface ZoomBucket {
  minZoom: number;
  group: L.LayerGroup;
}

interface BaseLayers {
  buckets: ZoomBucket[];
  labels: ZoomBucket[];
  /** Street lines and their casings, re-weighted on zoom. */
  streets: { layer: L.Path; weight: number; casing: boolean }[];
  districtBounds: L.LatLngBounds | null;
  townBounds: L.LatLngBounds | null;
}

function labelElement(text: string, kind: string): HTMLElement {
  const el = document.createElement("span");
  el.className = `map-label-text map-label-${kind}`;
  el.textContent = text;
  return el;
}

function buildBase(
  map: L.Map,
  collection: CityFeatureCollection,
  scheme: Scheme,
  lang: Language,
  renderers: Record<BasePane, L.Canvas>,
): BaseLayers {
  const features = (Array.isArray(collection.features) ? collection.features : [])
    .filter((f): f is Feature<Geometry, CityFeatureProperties | null> => !!f && !!f.geometry)
    .slice()
    .sort((a, b) => drawOrder(a.properties) - drawOrder(b.properties));

  const bucketMap = new Map<string, ZoomBucket>();
  const labelMap = new Map<number, ZoomBucket>();
  const streets: BaseLayers["streets"] = [];
  let districtBounds: L.LatLngBounds | null = null;
  let town: { bounds: L.LatLngBounds; population: number } | null = null;
  let builtUp: L.LatLngBounds | null = null;
  const palette = PALETTES[scheme];
  const scale = streetScale(map.getZoom());

  for (const feature of features) {
    const props = feature.properties ?? {};
    const pane = paneOf(props, feature.geometry);
    const minZoom = minZoomOf(props);
    const key = `${pane}|${minZoom}`;
    let bucket = bucketMap.get(key);
    if (!bucket) {
      bucket = { minZoom, group: L.layerGroup() };
      bucketMap.set(key, bucket);
    }
    const style = pathStyle(props, scheme);
    const layer = L.geoJSON(feature as Feature, {
      pane,
      interactive: false,
      style: () => ({ ...style, renderer: renderers[pane], interactive: false }),
      pointToLayer: (_point, latlng) =>
        L.circleMarker(latlng, {
          pane,
          renderer: renderers[pane],
          interactive: false,
          radius: settlementRadius(props),
          color: palette.labelHalo,
          weight: 1.5,
          fillColor: palette.settlementDot,
          fillOpacity: 1,
        }),
    });
    if (props.layer === "streets") {
      layer.eachLayer((l) => {
        if (l instanceof L.Path) {
          streets.push({ layer: l, weight: style.weight, casing: false });
          l.setStyle({ weight: style.weight * scale });
        }
      });
      const casing = casingStyle(props, scheme);
      if (casing) {
        const casingKey = `base-casing|${minZoom}`;
        let casingBucket = bucketMap.get(casingKey);
        if (!casingBucket) {
          casingBucket = { minZoom, group: L.layerGroup() };
          bucketMap.set(casingKey, casingBucket);
        }
        const outline = L.geoJSON(feature as Feature, {
          pane: "base-casing",
          interactive: false,
          style: () => ({ ...casing, weight: casingWeight(casing.weight * scale), renderer: renderers["base-casing"], interactive: false }),
        });
        outline.eachLayer((l) => {
          if (l instanceof L.Path) streets.push({ layer: l, weight: casing.weight, casing: true });
        });
        casingBucket.group.addLayer(outline);
      }
    }
    bucket.group.addLayer(layer);

    if (props.layer === "boundary") {
      const bounds = layer.getBounds();
      if (bounds.isValid()) districtBounds = districtBounds ? districtBounds.extend(bounds) : bounds;
    }
    if (props.layer === "settlements" && settlementRank(props) === "town") {
      const bounds = layer.getBounds();
      const population = typeof props.population === "number" ? props.population : 0;
      if (bounds.isValid() && (!town || population > town.population)) town = { bounds, population };
    }
    if (props.layer === "blocks" || props.layer === "microdistricts") {
      const bounds = layer.getBounds();
      if (bounds.isValid()) builtUp = builtUp ? builtUp.extend(bounds) : bounds;
    }

    // Labels: settlements and microdistricts, in the UI language.
    if (props.layer === "settlements" || props.layer === "microdistricts") {
      const name = localName(props, lang);
      const at = labelPoint(feature.geometry);
      if (name && at) {
        const labelZoom = labelMinZoom(props);
        let labels = labelMap.get(labelZoom);
        if (!labels) {
          labels = { minZoom: labelZoom, group: L.layerGroup() };
          labelMap.set(labelZoom, labels);
        }
        const kind = props.layer === "microdistricts" ? "microdistrict" : settlementRank(props);
        const offset = props.layer === "settlements" && feature.geometry.type === "Point" ? 1 : 0;
        labels.group.addLayer(
          L.marker([at[1], at[0]], {
            pane: "labels",
            interactive: false,
            keyboard: false,
            icon: L.divIcon({
              className: `map-label${offset ? " map-label-below" : ""}`,
              html: labelElement(name, kind),
              iconSize: [0, 0],
            }),
          }),
        );
      }
    }
  }
  // The town: its outline if the model has one, else the built-up area (blocks, microdistricts),
  // else a few kilometres around the largest settlement.
  let townBounds: L.LatLngBounds | null = null;
  if (town && town.bounds.getNorth() - town.bounds.getSouth() > 1e-4) townBounds = town.bounds;
  else if (builtUp) townBounds = builtUp;
  else if (town) townBounds = town.bounds.getCenter().toBounds(TOWN_SPAN_M);
  return {
    buckets: [...bucketMap.values()],
    labels: [...labelMap.values()].sort((a, b) => a.minZoom - b.minZoom),
    streets,
    districtBounds,
    townBounds,
  };
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Hands the codes of a cluster's devices (up to 200) to the desk. */
function onClusterListRef(
  index: Supercluster<PointProps, ClusterProps>,
  clusterId: number,
  onClusterList: (codes: string[]) => void,
) {
  const leaves = index.getLeaves(clusterId, 200);
  onClusterList(leaves.map((leaf) => leaf.properties.code));
}

/**
 * The Leaflet map: base layers from the city model on canvas, device markers
 * clustered with supercluster (re-clustered on every move), the selected
 * camera's field of view and a search pin. Imperative inside, driven by props.
 */
export function MapView(props: MapViewProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<L.Map | null>(null);
  const renderersRef = useRef<Record<BasePane, L.Canvas> | null>(null);
  const baseRef = useRef<BaseLayers | null>(null);
  const indexRef = useRef<Supercluster<PointProps, ClusterProps> | null>(null);
  const devicesByCode = useRef(new Map<string, MapDevice>());
  const markersRef = useRef(new Map<string, L.Marker>());
  const markerLayerRef = useRef<L.LayerGroup | null>(null);
  const overlayRef = useRef<L.LayerGroup | null>(null);
  const viewChosenRef = useRef(false);

  // Effect events, called from the effects below and from the Leaflet handlers registered on creation: they read
  // the current refs and props (declared before the effects that use them).

  /** Shows the base map's zoom buckets and labels that belong to the zoom, scales the streets. */
  const applyZoomVisibility = useEffectEvent(() => {
    const map = mapRef.current;
    const base = baseRef.current;
    if (!map || !base) return;
    const zoom = map.getZoom();
    for (const bucket of [...base.buckets, ...base.labels]) {
      const visible = zoom >= bucket.minZoom;
      if (visible && !map.hasLayer(bucket.group)) bucket.group.addTo(map);
      else if (!visible && map.hasLayer(bucket.group)) bucket.group.remove();
    }
    const scale = streetScale(zoom);
    for (const s of base.streets) {
      const weight = s.casing ? casingWeight(s.weight * scale) : s.weight * scale;
      if (s.layer.options.weight !== weight) s.layer.setStyle({ weight });
    }
  });

  /** Draws the clusters and device markers in view, reusing the markers that did not change. */
  const renderDevices = useEffectEvent(() => {
    const map = mapRef.current;
    const index = indexRef.current;
    const layer = markerLayerRef.current;
    if (!map || !layer) return;
    const { selectedCode, deviceTitle, clusterTitle, onSelectDevice, onClusterList } = props;
    const next = new Map<string, () => L.Marker>();
    const addDevice = (device: MapDevice, selected: boolean) => {
      const key = `d|${device.code}|${device.health}|${device.kind}|${selected ? 1 : 0}|${device.lon}|${device.lat}`;
      next.set(key, () => {
        const marker = L.marker([device.lat, device.lon], {
          icon: L.divIcon({
            className: "map-device-icon",
            html:
              `<div data-testid="device-marker" data-code="${escapeAttr(device.code)}" data-kind="${escapeAttr(device.kind)}" ` +
              `data-health="${device.health}"${selected ? ' data-selected="true"' : ""}>` +
              deviceMarkerSvg(device.kind, device.health, { selected }) +
              "</div>",
            iconSize: [MARKER_SIZE, MARKER_SIZE],
            iconAnchor: [MARKER_SIZE / 2, MARKER_SIZE / 2],
          }),
          title: deviceTitle(device),
          alt: device.code,
          keyboard: true,
          riseOnHover: true,
          zIndexOffset: selected ? 5000 : HEALTH_RANK[device.health] * 100,
        });
        marker.on("click", () => onSelectDevice(device.code));
        return marker;
      });
    };
    if (index) {
      const b = map.getBounds().pad(0.25);
      const bbox: [number, number, number, number] = [
        Math.max(-180, b.getWest()),
        Math.max(-85, b.getSouth()),
        Math.min(180, b.getEast()),
        Math.min(85, b.getNorth()),
      ];
      for (const item of index.getClusters(bbox, Math.round(map.getZoom()))) {
        const [lon, lat] = item.geometry.coordinates;
        const p = item.properties as Partial<ClusterProperties> & ClusterProps & PointProps;
        if (p.cluster) {
          const count = p.point_count ?? 0;
          const worst = worstOfCounts(p.counts);
          const id = p.cluster_id as number;
          const c = p.counts;
          const key = `c|${id}|${count}|${c.online},${c.degraded},${c.unknown},${c.offline}|${lon.toFixed(6)}|${lat.toFixed(6)}`;
          next.set(key, () => {
            const size = clusterSize(count);
            const marker = L.marker([lat, lon], {
              icon: L.divIcon({
                className: "map-cluster-icon",
                html: `<div data-testid="device-cluster" data-count="${count}" data-health="${worst}">${clusterBadgeHtml(count, worst, p.counts)}</div>`,
                iconSize: [size, size],
                iconAnchor: [size / 2, size / 2],
              }),
              title: clusterTitle(count, p.counts),
              keyboard: true,
              zIndexOffset: 1000 + HEALTH_RANK[worst] * 100,
            });
            marker.on("click", () => {
              const idx = indexRef.current;
              const m = mapRef.current;
              if (!idx || !m) return;
              let zoom: number;
              try {
                zoom = idx.getClusterExpansionZoom(id);
              } catch {
                // The index was rebuilt meanwhile; the next render replaces this marker.
                return;
              }
              if (zoom <= MAX_ZOOM) m.flyTo([lat, lon], zoom, { duration: 0.4 });
              else onClusterListRef(idx, id, onClusterList);
            });
            return marker;
          });
        } else {
          const device = devicesByCode.current.get(p.code);
          if (device) addDevice(device, false);
        }
      }
    }
    const selected = props.selectedDevice;
    if (selected && selected.code === selectedCode) addDevice(selected, true);

    const markers = markersRef.current;
    for (const [key, marker] of markers) {
      if (!next.has(key)) {
        layer.removeLayer(marker);
        markers.delete(key);
      }
    }
    for (const [key, create] of next) {
      if (!markers.has(key)) {
        const marker = create();
        markers.set(key, marker);
        layer.addLayer(marker);
      }
    }
  });

  // ---- create the map once ------------------------------------------------
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const map = L.map(container, {
      center: [AKSAI_CENTRE[1], AKSAI_CENTRE[0]],
      zoom: 13,
      minZoom: MIN_ZOOM,
      maxZoom: MAX_ZOOM,
      zoomControl: false,
      attributionControl: true,
      preferCanvas: true,
      worldCopyJump: false,
      maxBoundsViscosity: 0.8,
    });
    map.attributionControl.setPrefix(false);
    L.control.zoom({ position: "topleft" }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

    for (const { name, z } of BASE_PANES) {
      const pane = map.createPane(name);
      pane.style.zIndex = String(z);
      pane.style.pointerEvents = "none";
    }
    const wedgePane = map.createPane("wedge");
    wedgePane.style.zIndex = "380";
    wedgePane.style.pointerEvents = "none";
    const labelPane = map.createPane("labels");
    labelPane.style.zIndex = "450";
    labelPane.style.pointerEvents = "none";

    const renderers = Object.fromEntries(
      BASE_PANES.map(({ name }) => [name, L.canvas({ pane: name, padding: 0.3 })]),
    ) as Record<BasePane, L.Canvas>;
    renderersRef.current = renderers;
    markerLayerRef.current = L.layerGroup().addTo(map);
    overlayRef.current = L.layerGroup().addTo(map);
    mapRef.current = map;

    const onUserMove = () => {
      viewChosenRef.current = true;
    };
    map.on("dragstart zoomstart", onUserMove);
    map.on("moveend", () => renderDevices());
    map.on("zoomend", () => {
      applyZoomVisibility();
      renderDevices();
    });

    const observer = new ResizeObserver(() => map.invalidateSize({ pan: false }));
    observer.observe(container);

    const markers = markersRef.current;
    return () => {
      observer.disconnect();
      map.remove();
      mapRef.current = null;
      baseRef.current = null;
      markers.clear();
    };
  }, []);

  // ---- base map -------------------------------------------------------------
  useEffect(() => {
    const map = mapRef.current;
    const renderers = renderersRef.current;
    if (!map || !renderers) return;
    const old = baseRef.current;
    if (old) for (const bucket of [...old.buckets, ...old.labels]) bucket.group.remove();
    baseRef.current = null;
    if (!props.base) return;
    const base = buildBase(map, props.base, props.scheme, props.lang, renderers);
    baseRef.current = base;
    // Before the user has moved the map, show the town (else the district).
    if (!viewChosenRef.current) {
      if (base.townBounds) map.fitBounds(base.townBounds, { animate: false, padding: [8, 8] });
      else if (base.districtBounds) map.fitBounds(base.districtBounds, { animate: false });
      viewChosenRef.current = false;
    }
    if (base.districtBounds) map.setMaxBounds(base.districtBounds.pad(0.6));
    applyZoomVisibility();
  }, [props.base, props.scheme, props.lang]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const text = props.attribution ? escapeAttr(props.attribution) : null;
    if (text) map.attributionControl.addAttribution(text);
    return () => {
      if (text) map.attributionControl.removeAttribution(text);
    };
  }, [props.attribution]);

  // ---- devices ----------------------------------------------------------------
  useEffect(() => {
    const byCode = new Map<string, MapDevice>();
    for (const d of props.devices) if (d.code !== props.selectedCode) byCode.set(d.code, d);
    devicesByCode.current = byCode;
    const index = new Supercluster<PointProps, ClusterProps>({
      radius: CLUSTER_RADIUS,
      maxZoom: MAX_ZOOM,
      minPoints: 2,
      map: (p) => {
        const counts = emptyHealthCounts();
        const device = byCode.get(p.code);
        counts[normaliseHealth(device?.health)] = 1;
        return { counts };
      },
      reduce: (acc, p) => {
        const merged: HealthCounts = { ...acc.counts };
        for (const key of Object.keys(p.counts) as DeviceHealth[]) merged[key] += p.counts[key];
        acc.counts = merged;
      },
    });
    index.load(
      [...byCode.values()].map((d) => ({
        type: "Feature" as const,
        geometry: { type: "Point" as const, coordinates: [d.lon, d.lat] },
        properties: { code: d.code },
      })),
    );
    indexRef.current = index;
    renderDevices();
  }, [props.devices, props.selectedCode]);

  useEffect(() => {
    renderDevices();
  }, [props.selectedDevice]);

  useEffect(() => {
    // Titles are in the UI language: draw every marker anew.
    markerLayerRef.current?.clearLayers();
    markersRef.current.clear();
    renderDevices();
  }, [props.lang]);

  // ---- overlays: field of view, search pin ----------------------------------
  useEffect(() => {
    const overlay = overlayRef.current;
    if (!overlay) return;
    overlay.clearLayers();
    const palette = PALETTES[props.scheme];
    if (props.wedge && props.wedge.ring.length > 2) {
      L.polygon(
        props.wedge.ring.map(([lon, lat]) => [lat, lon] as L.LatLngTuple),
        {
          pane: "wedge",
          interactive: false,
          color: palette.wedge,
          weight: 1.5,
          opacity: 0.9,
          fillColor: palette.wedge,
          fillOpacity: props.wedge.assumed ? 0.12 : 0.2,
          dashArray: props.wedge.assumed ? "6 4" : undefined,
          className: "map-fov",
        },
      ).addTo(overlay);
    }
    if (props.pin) {
      const pin = L.marker([props.pin.lat, props.pin.lon], {
        icon: L.divIcon({
          className: "map-pin-icon",
          html: `<div data-testid="search-pin" class="map-pin" style="background:${palette.pin}"></div>`,
          iconSize: [16, 16],
          iconAnchor: [8, 8],
        }),
        keyboard: false,
        zIndexOffset: 6000,
      });
      pin.bindTooltip(props.pin.label, { permanent: true, direction: "top", offset: [0, -8], className: "map-pin-label" });
      pin.addTo(overlay);
    }
  }, [props.wedge, props.pin, props.scheme]);

  // ---- commands -----------------------------------------------------------------
  // Run when a new command arrives, with the inset of that moment (an inset change alone moves nothing).
  const runCommand = useEffectEvent((command: MapCommand) => {
    const map = mapRef.current;
    if (!map) return;
    viewChosenRef.current = true;
    if (command.type === "fly") {
      let target = L.latLng(command.lat, command.lon);
      if (command.offsetX) {
        const width = map.getSize().x;
        // Only when the map is wide enough for the shift to leave the point in view.
        const shift = Math.min(command.offsetX, Math.max(0, width / 2 - 60));
        target = map.unproject(map.project(target, command.zoom).add([shift, 0]), command.zoom);
      }
      map.flyTo(target, command.zoom, { duration: 0.6 });
    } else {
      const base = baseRef.current;
      const bounds = command.type === "district" ? base?.districtBounds : (base?.townBounds ?? null);
      if (bounds) {
        const inset = Math.min(props.rightInset, map.getSize().x / 2);
        map.flyToBounds(bounds, { duration: 0.6, paddingTopLeft: [8, 8], paddingBottomRight: [8 + inset, 8] });
      }
      else map.flyTo([AKSAI_CENTRE[1], AKSAI_CENTRE[0]], command.type === "district" ? 9 : 13, { duration: 0.6 });
    }
  });
  useEffect(() => {
    if (props.command) runCommand(props.command);
  }, [props.command]);

  return (
    <div
      ref={containerRef}
      className="map-canvas"
      data-testid="map-canvas"
      data-scheme={props.scheme}
      data-fov={props.wedge ? (props.wedge.assumed ? "assumed" : "own") : "none"}
      style={{ background: PALETTES[props.scheme].background }}
    />
  );
}
