/**
 * Client-side device search over the loaded registry GeoJSON (code, names in
 * kk/ru/en, site code and names), and normalisation of geocoder answers.
 */
import type { GeocodeResult } from "../../api/types";
import type { MapDevice } from "./model";

/**
 * Lower case, ё → е, every run of punctuation and spaces → one space: "Школа
 * №3" and "школа 3" compare equal, "CAM-0123" becomes "cam 0123".
 */
export function normaliseSearchText(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function searchTokens(text: string): string[] {
  const normalised = normaliseSearchText(text);
  return normalised === "" ? [] : normalised.split(" ");
}

export interface DeviceMatch {
  device: MapDevice;
  /** Lower is better. */
  score: number;
}

const SEARCHABLE: readonly (keyof MapDevice)[] = [
  "name_kk",
  "name_ru",
  "name_en",
  "site_code",
  "site_name_kk",
  "site_name_ru",
];

/** Scores one device against the query tokens; null when it does not match. */
export function scoreDevice(device: MapDevice, query: string, tokens: readonly string[] = searchTokens(query)): number | null {
  if (tokens.length === 0) return null;
  const code = normaliseSearchText(device.code);
  const q = tokens.join(" ");
  if (code === q) return 0;
  if (code.startsWith(q)) return 1;
  // The code's digits alone ("123" finds CAM-0123 but not CAM-1230).
  const codeDigits = code.replace(/\D/g, "");
  if (/^\d+$/.test(q) && codeDigits !== "" && Number(codeDigits) === Number(q)) return 1;

  const fields = SEARCHABLE.map((key) => device[key]).filter((v): v is string => typeof v === "string" && v !== "");
  return scoreText([device.code, ...fields], tokens);
}

/** The best score of the query over some texts; null when none matches. */
function scoreText(texts: readonly string[], tokens: readonly string[]): number | null {
  const q = tokens.join(" ");
  let best: number | null = null;
  for (const field of texts) {
    const text = normaliseSearchText(field);
    if (text === "") continue;
    const words = text.split(" ");
    let score: number | null = null;
    if (text.startsWith(q)) score = 2;
    else if (` ${text} `.includes(` ${q} `)) score = 3; // the whole query as a phrase: "школа 3" in "школа 3 камера 1"
    else if (tokens.every((t) => words.some((w) => w.startsWith(t)))) {
      // Whole-word matches ("школа 3" → "школа №3", not "школа №13") before prefixes.
      score = tokens.every((t) => words.includes(t)) ? 4 : 5;
    } else if (text.includes(q)) score = 6;
    if (score !== null && (best === null || score < best)) best = score;
  }
  return best;
}

/** Natural order of codes: CAM-2 before CAM-10. */
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Devices matching the query, best first, at most `limit`. */
export function searchDevices(devices: readonly MapDevice[], query: string, limit = 20): DeviceMatch[] {
  const tokens = searchTokens(query);
  if (tokens.length === 0) return [];
  const matches: DeviceMatch[] = [];
  for (const device of devices) {
    const score = scoreDevice(device, query, tokens);
    if (score !== null) matches.push({ device, score });
  }
  matches.sort((a, b) => a.score - b.score || collator.compare(a.device.code, b.device.code));
  return matches.slice(0, limit);
}

/** A site (school, police post, intersection…) known through the devices that name it. */
export interface SiteMatch {
  code: string;
  name_kk: string | null;
  name_ru: string | null;
  /** Mean position of its devices. */
  lon: number;
  lat: number;
  /** Its devices' codes, in code order. */
  devices: string[];
  score: number;
}

/**
 * Sites whose name or code matches the query, gathered from the devices'
 * site_code / site_name_* (the registry's GeoJSON carries them), best first.
 */
export function searchSites(devices: readonly MapDevice[], query: string, limit = 8): SiteMatch[] {
  const tokens = searchTokens(query);
  if (tokens.length === 0) return [];
  const sites = new Map<string, { first: MapDevice; members: MapDevice[] }>();
  for (const device of devices) {
    if (!device.site_code) continue;
    const site = sites.get(device.site_code);
    if (site) site.members.push(device);
    else sites.set(device.site_code, { first: device, members: [device] });
  }
  const matches: SiteMatch[] = [];
  for (const [code, { first, members }] of sites) {
    const names = [first.site_name_kk, first.site_name_ru].filter((v): v is string => !!v);
    const score = scoreText([code, ...names], tokens);
    if (score === null) continue;
    members.sort((a, b) => collator.compare(a.code, b.code));
    matches.push({
      code,
      name_kk: first.site_name_kk,
      name_ru: first.site_name_ru,
      lon: members.reduce((sum, d) => sum + d.lon, 0) / members.length,
      lat: members.reduce((sum, d) => sum + d.lat, 0) / members.length,
      devices: members.map((d) => d.code),
      score,
    });
  }
  matches.sort((a, b) => a.score - b.score || collator.compare(a.code, b.code));
  return matches.slice(0, limit);
}

/** Minimum query length before the geocoder is asked. */
export const GEOCODE_MIN_LENGTH = 3;

/** The geocoder's answer as search results: its one place, none when the coordinates are not finite. */
export function normaliseGeocode(answer: GeocodeResult | null | undefined): GeocodeResult[] {
  if (!answer || !Number.isFinite(answer.lon) || !Number.isFinite(answer.lat)) return [];
  const label = answer.label !== "" ? answer.label : `${answer.lat.toFixed(5)}, ${answer.lon.toFixed(5)}`;
  return [{ ...answer, label }];
}

/** How close to zoom in on a geocoded place, by its kind. */
export function zoomForPlace(kind: string | null | undefined): number {
  switch (kind) {
    case "settlement":
      return 14;
    case "microdistrict":
      return 15;
    case "street":
      return 16;
    default:
      return 17;
  }
}
