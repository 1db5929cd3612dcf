/**
 * Places as the desks name them: a name in the interface language (kk/ru/en, each falling back to the others),
 * and the street names a small map writes along the streets near a place.
 */
import type { CityFeatureCollection } from "../../api/types";
import type { Language } from "../../i18n/languages";

export interface Names {
  kk?: string | null;
  ru?: string | null;
  en?: string | null;
}

const ORDER: Record<Language, readonly Language[]> = { kk: ["kk", "ru", "en"], ru: ["ru", "kk", "en"], en: ["en", "ru", "kk"] };

/** The name in `lang`, else in the nearest other language; null when there is none. */
export function nameIn(names: Names | null | undefined, lang: Language): string | null {
  if (!names) return null;
  for (const l of ORDER[lang]) {
    const value = names[l];
    if (value) return value;
  }
  return null;
}

/** A camera's or device's name (`name_kk`, `name_ru`, `name_en`) in `lang`. */
export function deviceName(item: { name_kk?: string | null; name_ru?: string | null; name_en?: string | null }, lang: Language): string {
  return nameIn({ kk: item.name_kk, ru: item.name_ru, en: item.name_en }, lang) ?? "";
}

export interface StreetLabel {
  lon: number;
  lat: number;
  text: string;
}

function plainName(props: object): string | null {
  const name = (props as { name?: unknown }).name;
  return typeof name === "string" && name ? name : null;
}

/** One label per named street chain of the base map, at the chain's middle vertex, in `lang`. */
export function streetLabels(collection: CityFeatureCollection | null | undefined, lang: Language): StreetLabel[] {
  const labels: StreetLabel[] = [];
  for (const feature of collection?.features ?? []) {
    const props = feature?.properties;
    const geometry = feature?.geometry;
    if (!props || props.layer !== "streets" || !geometry) continue;
    const text = nameIn({ kk: props.name_kk, ru: props.name_ru, en: props.name_en }, lang) ?? plainName(props);
    if (!text) continue;
    const chains = geometry.type === "MultiLineString" ? geometry.coordinates : geometry.type === "LineString" ? [geometry.coordinates] : [];
    for (const chain of chains) {
      if (chain.length < 2) continue;
      const [lon, lat] = chain[Math.floor(chain.length / 2)];
      labels.push({ lon, lat, text });
    }
  }
  return labels;
}
