import { describe, expect, it } from "vitest";
import type { MapDevice } from "./model";
import { normaliseGeocode, normaliseSearchText, searchDevices, searchSites, zoomForPlace } from "./search";

function device(code: string, name_ru: string | null, name_kk: string | null = null, extra: Partial<MapDevice> = {}): MapDevice {
  return {
    code,
    kind: "camera",
    purpose: "social_object",
    health: "online",
    lifecycle: null,
    name_kk,
    name_ru,
    name_en: null,
    site_code: null,
    site_name_kk: null,
    site_name_ru: null,
    last_seen_at: null,
    heading_deg: null,
    fov_deg: null,
    range_m: null,
    lon: 53,
    lat: 51,
    ...extra,
  };
}

const devices = [
  device("CAM-0123", "Школа №3, камера 1", "№3 мектеп, камера 1", { site_code: "SCH-03" }),
  device("CAM-0124", "Школа №13, камера 1", "№13 мектеп, камера 1"),
  device("CAM-1230", "Дворовая камера 7", "Аула камерасы 7"),
  device("SOS-01", "SOS-терминал у акимата", "Әкімдік жанындағы SOS терминалы", { kind: "sos_terminal", purpose: null }),
  device("CAM-0200", "Ёлочный базар", null),
  device("CAM-0100", "Школа №1, камера 3", null),
];

const codes = (query: string) => searchDevices(devices, query).map((m) => m.device.code);

describe("device search", () => {
  it("normalises case, ё, and punctuation", () => {
    expect(normaliseSearchText("  Школа №3, КАМЕРА ")).toBe("школа 3 камера");
    expect(normaliseSearchText("CAM-0123")).toBe("cam 0123");
    expect(normaliseSearchText("Ёлка")).toBe("елка");
  });

  it("finds by code, exact first, case-insensitive", () => {
    expect(codes("cam-0123")[0]).toBe("CAM-0123");
    expect(codes("CAM-012")).toEqual(["CAM-0123", "CAM-0124"]);
    expect(codes("sos")).toEqual(["SOS-01"]);
    expect(codes("123")[0]).toBe("CAM-0123");
  });

  it("finds by Russian and Kazakh name, whole words before prefixes", () => {
    expect(codes("школа")).toEqual(["CAM-0100", "CAM-0123", "CAM-0124"]);
    // The phrase first, then the same words scattered; "13" is not "3".
    expect(codes("школа 3")).toEqual(["CAM-0123", "CAM-0100"]);
    expect(codes("МЕКТЕП")).toEqual(["CAM-0123", "CAM-0124"]);
    expect(codes("3 мектеп")).toEqual(["CAM-0123", "CAM-0124"]); // "13 мектеп" only as a substring, last
    expect(codes("әкімдік")).toEqual(["SOS-01"]);
    expect(codes("елочный")).toEqual(["CAM-0200"]);
    expect(codes("sch-03")).toEqual(["CAM-0123"]);
  });

  it("matches inside words as a last resort", () => {
    expect(codes("оровая")).toEqual(["CAM-1230"]);
  });

  it("returns nothing for an empty query and honours the limit", () => {
    expect(codes("  ")).toEqual([]);
    expect(searchDevices(devices, "камера", 2)).toHaveLength(2);
  });
});

describe("geocoder answers", () => {
  it("gives the one place, labelled by its coordinates when it has no label, none without coordinates", () => {
    expect(normaliseGeocode({ lon: 53.01, lat: 51.17, label: "Советская 12", kind: "address", generated: true })).toEqual([
      { lon: 53.01, lat: 51.17, label: "Советская 12", kind: "address", generated: true },
    ]);
    expect(normaliseGeocode({ lon: 1, lat: 2, label: "", kind: "coordinates", generated: false })).toEqual([
      { lon: 1, lat: 2, label: "2.00000, 1.00000", kind: "coordinates", generated: false },
    ]);
    expect(normaliseGeocode({ lon: Number.NaN, lat: 2, label: "x", kind: "coordinates", generated: false })).toEqual([]);
    expect(normaliseGeocode(null)).toEqual([]);
  });
});

describe("zoom for a geocoded place", () => {
  it("zooms closer for smaller places", () => {
    expect(zoomForPlace("settlement")).toBeLessThan(zoomForPlace("street"));
    expect(zoomForPlace("street")).toBeLessThan(zoomForPlace("address"));
    expect(zoomForPlace(null)).toBe(zoomForPlace("coordinates"));
  });
});

describe("site search", () => {
  const school = { site_code: "OBJ-01", site_name_ru: "Школа №1", site_name_kk: "№1 мектеп" };
  const sites = [
    device("CAM-0002", "Камера 2", null, { ...school, lon: 53.002, lat: 51.2 }),
    device("CAM-0001", "Камера 1", null, { ...school, lon: 53.0, lat: 51.1 }),
    device("ALP-01", "Тревожная панель", null, { ...school, kind: "alarm_panel", lon: 53.001, lat: 51.15 }),
    device("CAM-0100", "Камера 1", null, { site_code: "OBJ-11", site_name_ru: "Школа №11", site_name_kk: "№11 мектеп" }),
    device("CAM-0500", "Камера", null, { site_code: "MOP-1", site_name_ru: "МОП №1", site_name_kk: null }),
    device("SOS-01", "SOS", null),
  ];

  it("gathers a site's devices and puts it at their mean position", () => {
    const [first] = searchSites(sites, "школа 1");
    expect(first.code).toBe("OBJ-01");
    expect(first.devices).toEqual(["ALP-01", "CAM-0001", "CAM-0002"]);
    expect(first.lon).toBeCloseTo(53.001, 9);
    expect(first.lat).toBeCloseTo(51.15, 9);
    expect(first.name_ru).toBe("Школа №1");
  });

  it("matches the site's names in both languages and its code", () => {
    expect(searchSites(sites, "мектеп").map((s) => s.code)).toEqual(["OBJ-01", "OBJ-11"]);
    expect(searchSites(sites, "мОп").map((s) => s.code)).toEqual(["MOP-1"]);
    expect(searchSites(sites, "obj-11").map((s) => s.code)).toEqual(["OBJ-11"]);
    expect(searchSites(sites, "камера")).toEqual([]);
    expect(searchSites(sites, "")).toEqual([]);
  });
});
