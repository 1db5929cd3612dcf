import { describe, expect, it } from "vitest";
import type { CityFeatureCollection } from "../../api/types";
import { deviceName, nameIn, streetLabels } from "./place";

describe("place names", () => {
  it("takes the interface language, else the nearest other one", () => {
    const school = { kk: "№3 мектеп", ru: "Школа №3", en: "School No. 3" };
    expect(nameIn(school, "kk")).toBe("№3 мектеп");
    expect(nameIn(school, "en")).toBe("School No. 3");
    expect(nameIn({ ru: "Школа №3", en: null }, "en")).toBe("Школа №3");
    expect(nameIn({ kk: "Мектеп" }, "ru")).toBe("Мектеп");
    expect(nameIn(null, "ru")).toBeNull();
    expect(deviceName({ name_kk: "1-камера", name_ru: "Камера 1", name_en: "Camera 1" }, "en")).toBe("Camera 1");
  });

  it("labels each named street chain at its middle, in the interface language", () => {
    const base = {
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          properties: { layer: "streets", name_kk: "Советская көшесі", name_ru: "Советская", name_en: "Sovetskaya" },
          geometry: { type: "MultiLineString", coordinates: [[[53, 51], [53.001, 51], [53.002, 51]], [[53.1, 51.1]]] },
        },
        { type: "Feature", properties: { layer: "streets" }, geometry: { type: "LineString", coordinates: [[53, 51], [53.1, 51]] } },
        { type: "Feature", properties: { layer: "boundary", name_ru: "Район" }, geometry: { type: "LineString", coordinates: [[53, 51], [53.1, 51]] } },
      ],
    } as unknown as CityFeatureCollection;
    expect(streetLabels(base, "en")).toEqual([{ lon: 53.001, lat: 51, text: "Sovetskaya" }]);
    expect(streetLabels(base, "kk")[0].text).toBe("Советская көшесі");
    expect(streetLabels(null, "ru")).toEqual([]);
  });
});
