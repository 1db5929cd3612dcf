/**
 * Cartography of the offline base map drawn from the city model: colours per
 * layer and street class for the dark and the light theme, and the zoom from
 * which each feature is drawn. Plain objects (Leaflet's PathOptions shape), no
 * Leaflet import, so it is unit-tested under Node.
 */
import type { CityFeatureProperties } from "../../api/types";

export type Scheme = "dark" | "light";

export interface PathStyle {
  color: string;
  weight: number;
  opacity: number;
  fill?: boolean;
  fillColor?: string;
  fillOpacity?: number;
  dashArray?: string;
  lineCap?: "round" | "butt" | "square";
  lineJoin?: "round" | "miter" | "bevel";
}

export interface MapPalette {
  background: string;
  boundary: string;
  settlementFill: string;
  settlementStroke: string;
  settlementDot: string;
  microdistrict: string;
  blockFill: string;
  blockStroke: string;
  label: string;
  labelHalo: string;
  streets: Record<StreetClass, { color: string; weight: number }>;
  /** Outline drawn under streets (light theme: white streets need an edge); null for none. */
  streetCasing: string | null;
  wedge: string;
  pin: string;
}

/** Street classes the map distinguishes (OSM highway values are mapped onto them). */
export type StreetClass = "major" | "secondary" | "tertiary" | "minor" | "service" | "track";

export const PALETTES: Record<Scheme, MapPalette> = {
  dark: {
    background: "#15171a",
    boundary: "#74c0fc",
    settlementFill: "#25282d",
    settlementStroke: "#3b3f46",
    settlementDot: "#ced4da",
    microdistrict: "#4dabf7",
    blockFill: "#262a30",
    blockStroke: "#30353c",
    label: "#e9ecef",
    labelHalo: "#15171a",
    streets: {
      major: { color: "#c8a052", weight: 4 },
      secondary: { color: "#a9adb4", weight: 3 },
      tertiary: { color: "#8a8f97", weight: 2.4 },
      minor: { color: "#62676f", weight: 1.5 },
      service: { color: "#4d5259", weight: 1 },
      track: { color: "#5c5f66", weight: 1.2 },
    },
    streetCasing: null,
    wedge: "#4dabf7",
    pin: "#be4bdb",
  },
  light: {
    background: "#efebe3",
    boundary: "#1971c2",
    settlementFill: "#e6e0d4",
    settlementStroke: "#cfc7b7",
    settlementDot: "#495057",
    microdistrict: "#1c7ed6",
    blockFill: "#ddd5c6",
    blockStroke: "#cdc3b1",
    label: "#212529",
    labelHalo: "#f8f9fa",
    streets: {
      major: { color: "#f2a65a", weight: 4 },
      secondary: { color: "#f7d38b", weight: 3.2 },
      tertiary: { color: "#ffffff", weight: 2.8 },
      minor: { color: "#ffffff", weight: 1.8 },
      service: { color: "#ffffff", weight: 1.1 },
      track: { color: "#a89f8f", weight: 1.2 },
    },
    streetCasing: "#b4aa98",
    wedge: "#1c7ed6",
    pin: "#9c36b5",
  },
};

/** OSM highway value → the class drawn. Unknown values draw as minor streets. */
export function streetClass(highway: string | null | undefined): StreetClass {
  const h = (highway ?? "").replace(/_link$/, "");
  switch (h) {
    case "motorway":
    case "trunk":
    case "primary":
      return "major";
    case "secondary":
      return "secondary";
    case "tertiary":
    case "unclassified":
      return "tertiary";
    case "service":
    case "footway":
    case "path":
    case "pedestrian":
    case "cycleway":
    case "steps":
      return "service";
    case "track":
      return "track";
    default:
      return "minor";
  }
}

/** The zoom from which a feature is drawn (the district view shows only main roads and settlements). */
export function minZoomOf(props: CityFeatureProperties | null | undefined): number {
  switch (props?.layer) {
    case "blocks":
      return 14;
    case "microdistricts":
      return 12;
    case "streets": {
      const cls = streetClass(props.highway);
      if (cls === "minor" || cls === "track") return 13;
      if (cls === "service") return 15;
      return 0;
    }
    default:
      return 0;
  }
}

/** Settlements by size: the town, villages, hamlets (OSM place kinds, else the population). */
export type SettlementRank = "town" | "village" | "hamlet";

/** A settlement of at least this many residents is drawn as a town. */
export const TOWN_POPULATION = 10_000;
const VILLAGE_POPULATION = 500;

export function settlementRank(props: CityFeatureProperties | null | undefined): SettlementRank {
  switch (props?.kind) {
    case "city":
    case "town":
      return "town";
    case "village":
      return "village";
    case "hamlet":
    case "isolated_dwelling":
      return "hamlet";
  }
  const population = typeof props?.population === "number" ? props.population : null;
  if (population === null) return "village";
  if (population >= TOWN_POPULATION) return "town";
  return population >= VILLAGE_POPULATION ? "village" : "hamlet";
}

/** The zoom from which a settlement or microdistricts label is shown. */
export function labelMinZoom(props: CityFeatureProperties | null | undefined): number {
  if (props?.layer === "microdistricts") return 13;
  switch (settlementRank(props)) {
    case "town":
      return 0;
    case "village":
      return 9;
    default:
      return 11;
  }
}

/** Style of a line or polygon of the base map. */
export function pathStyle(props: CityFeatureProperties | null | undefined, scheme: Scheme): PathStyle {
  const p = PALETTES[scheme];
  switch (props?.layer) {
    case "boundary":
      return { color: p.boundary, weight: 2.5, opacity: 0.9, fill: false, dashArray: "10 6", lineJoin: "round" };
    case "settlements":
      return {
        color: p.settlementStroke,
        weight: 1,
        opacity: 1,
        fill: true,
        fillColor: p.settlementFill,
        fillOpacity: 0.9,
      };
    case "microdistricts":
      return {
        color: p.microdistrict,
        weight: 1.2,
        opacity: 0.55,
        fill: true,
        fillColor: p.microdistrict,
        fillOpacity: 0.05,
        dashArray: "4 4",
      };
    case "blocks":
      return { color: p.blockStroke, weight: 0.6, opacity: 1, fill: true, fillColor: p.blockFill, fillOpacity: 1 };
    case "streets": {
      const s = p.streets[streetClass(props.highway)];
      return {
        color: s.color,
        weight: s.weight,
        opacity: 1,
        fill: false,
        lineCap: "round",
        lineJoin: "round",
        dashArray: streetClass(props.highway) === "track" ? "4 4" : undefined,
      };
    }
    default:
      return { color: p.settlementStroke, weight: 1, opacity: 0.8, fill: false };
  }
}

/** Style of the outline under a street, or null when the theme draws none (tracks never have one). */
export function casingStyle(props: CityFeatureProperties | null | undefined, scheme: Scheme): PathStyle | null {
  const casing = PALETTES[scheme].streetCasing;
  if (!casing || props?.layer !== "streets" || streetClass(props.highway) === "track") return null;
  const street = pathStyle(props, scheme);
  return { color: casing, weight: street.weight, opacity: 1, fill: false, lineCap: "round", lineJoin: "round" };
}

/** Casing width for a street drawn `weight` pixels wide. */
export function casingWeight(weight: number): number {
  return weight + 1.6;
}

/** Radius in pixels of a settlement drawn as a point. */
export function settlementRadius(props: CityFeatureProperties | null | undefined): number {
  const rank = settlementRank(props);
  return rank === "town" ? 6 : rank === "village" ? 4 : 3;
}

/**
 * Drawing order, bottom to top: settlement areas, blocks, microdistricts,
 * streets (minor under major), boundary.
 */
export function drawOrder(props: CityFeatureProperties | null | undefined): number {
  switch (props?.layer) {
    case "settlements":
      return 0;
    case "blocks":
      return 1;
    case "microdistricts":
      return 2;
    case "streets": {
      const order: Record<StreetClass, number> = { service: 0, track: 0, minor: 1, tertiary: 2, secondary: 3, major: 4 };
      return 3 + order[streetClass(props.highway)] / 10;
    }
    case "boundary":
      return 5;
    default:
      return 4;
  }
}
