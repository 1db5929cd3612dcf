import "leaflet/dist/leaflet.css";
import "./ops.css";

import * as L from "leaflet";
import { useEffect, useEffectEvent, useRef } from "react";
import type { CityFeatureCollection } from "../../api/types";
import type { Language } from "../../i18n/languages";
import { BASE_PANES, buildBase, streetScale, type BaseLayers, type BasePane } from "./baseLayers";
import { PALETTES, casingWeight, type Scheme } from "./baseStyle";
import { DeviceLayer, escapeAttr } from "./deviceLayer";
import type { LonLat } from "./geometry";
import type { HealthCounts, MapDevice } from "./model";
import type { OpsItem } from "./ops";
import { OPS_PANE, OpsLayer } from "./opsLayer";

/** Aksai town centre (OSM node 435393175): the view before the city model has loaded. */
export const AKSAI_CENTRE: LonLat = [53.011478, 51.173893];
const MIN_ZOOM = 7;
const MAX_ZOOM = 19;

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
  /** The operating picture over the devices: alarms, incidents, units (already filtered by their toggles). */
  ops?: readonly OpsItem[];
  selectedOps?: string | null;
  onSelectOps?: (key: string) => void;
  opsTitle?: (item: OpsItem) => string;
  /** Whether the zoom buttons are shown (the wall has none). */
  zoomControl?: boolean;
}

/**
 * The Leaflet map: base layers from the city model on canvas, device markers clustered with supercluster
 * (deviceLayer.ts: re-clustered on every move, patched in place on health changes), the operating picture above
 * them (opsLayer.ts), the selected camera's field of view and a search pin. Imperative inside, driven by props.
 */
export function MapView(props: MapViewProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  // Read once, when the map is made.
  const zoomControlRef = useRef(props.zoomControl !== false);
  const mapRef = useRef<L.Map | null>(null);
  const renderersRef = useRef<Record<BasePane, L.Canvas> | null>(null);
  const baseRef = useRef<BaseLayers | null>(null);
  const devicesRef = useRef<DeviceLayer | null>(null);
  const opsRef = useRef<OpsLayer | null>(null);
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

  /** The device layer's callbacks as of the latest render (titles in the UI language, the desk's handlers). */
  const deviceHandlers = useEffectEvent(() => ({
    onSelectDevice: props.onSelectDevice,
    onClusterList: props.onClusterList,
    deviceTitle: props.deviceTitle,
    clusterTitle: props.clusterTitle,
  }));
  const renderDevices = useEffectEvent(() => {
    const layer = devicesRef.current;
    if (!layer) return;
    layer.setHandlers(deviceHandlers());
    layer.render();
  });
  const onSelectOps = useEffectEvent((key: string) => props.onSelectOps?.(key));
  const opsTitle = useEffectEvent((item: OpsItem) => (props.opsTitle ? props.opsTitle(item) : item.label));
  const drawOps = useEffectEvent(() => opsRef.current?.set(props.ops ?? [], props.selectedOps ?? null));

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
    if (zoomControlRef.current) L.control.zoom({ position: "topleft" }).addTo(map);
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
    devicesRef.current = new DeviceLayer(map, L.layerGroup().addTo(map), deviceHandlers(), MAX_ZOOM);
    // The operating picture above every device marker and cluster (Leaflet's marker pane is at 600).
    const opsPane = map.createPane(OPS_PANE);
    opsPane.style.zIndex = "650";
    opsRef.current = new OpsLayer(map, L.layerGroup().addTo(map), opsPane, (key) => onSelectOps(key), (item) => opsTitle(item), MAX_ZOOM);
    overlayRef.current = L.layerGroup().addTo(map);
    mapRef.current = map;

    const onUserMove = () => {
      viewChosenRef.current = true;
    };
    map.on("dragstart zoomstart", onUserMove);
    map.on("moveend", () => {
      renderDevices();
      opsRef.current?.render();
    });
    map.on("zoomend", () => {
      applyZoomVisibility();
      renderDevices();
      opsRef.current?.render();
    });

    const observer = new ResizeObserver(() => map.invalidateSize({ pan: false }));
    observer.observe(container);

    return () => {
      observer.disconnect();
      map.remove();
      mapRef.current = null;
      baseRef.current = null;
      devicesRef.current = null;
      opsRef.current?.dispose();
      opsRef.current = null;
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

  // ---- devices and the operating picture ------------------------------------------
  useEffect(() => {
    const layer = devicesRef.current;
    if (!layer) return;
    layer.setHandlers(deviceHandlers());
    layer.setDevices(props.devices, props.selectedDevice && props.selectedDevice.code === props.selectedCode ? props.selectedDevice : null);
  }, [props.devices, props.selectedCode, props.selectedDevice]);

  useEffect(() => {
    // Titles are in the UI language: draw every marker anew.
    devicesRef.current?.redrawAll();
    opsRef.current?.reset();
  }, [props.lang]);

  useEffect(() => {
    drawOps();
  }, [props.ops, props.selectedOps]);

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
