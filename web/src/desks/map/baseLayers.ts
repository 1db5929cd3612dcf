/**
 * The base map drawn from the city model: features sorted into canvas panes and zoom buckets, street weights
 * that follow the zoom, settlement and microdistrict labels in the UI language, and the bounds of the town and
 * the district. Leaflet only; no React.
 */
import * as L from "leaflet";
import type { Feature, Geometry } from "geojson";
import type { CityFeatureCollection, CityFeatureProperties } from "../../api/types";
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
import { labelPoint } from "./geometry";
import { localName } from "./model";

/** Metres shown around a town known only as a point. */
const TOWN_SPAN_M = 5000;

/** Panes from bottom to top; each canvas pane has its own renderer so toggling by zoom keeps the order. */
export const BASE_PANES = [
  { name: "base-areas", z: 210 },
  { name: "base-districts", z: 220 },
  { name: "base-casing", z: 225 },
  { name: "base-minor", z: 230 },
  { name: "base-major", z: 240 },
  { name: "base-top", z: 250 },
] as const;
export type BasePane = (typeof BASE_PANES)[number]["name"];

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
export function streetScale(zoom: number): number {
  if (zoom <= 11) return 0.7;
  if (zoom <= 13) return 1;
  if (zoom <= 15) return 1.5;
  if (zoom <= 17) return 2.2;
  return 3;
}

export interface ZoomBucket {
  minZoom: number;
  group: L.LayerGroup;
}

export interface BaseLayers {
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

export function buildBase(
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
