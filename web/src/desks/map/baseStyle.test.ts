import { describe, expect, it } from "vitest";
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
} from "./baseStyle";
import { abbreviateCount, clusterBadgeHtml, clusterSize, deviceMarkerSvg, healthRing } from "./markers";
import { HEALTH_COLORS } from "./model";

describe("base map cartography", () => {
  it("maps OSM highway values onto street classes", () => {
    expect(streetClass("primary")).toBe("major");
    expect(streetClass("trunk_link")).toBe("major");
    expect(streetClass("secondary")).toBe("secondary");
    expect(streetClass("unclassified")).toBe("tertiary");
    expect(streetClass("residential")).toBe("minor");
    expect(streetClass(null)).toBe("minor");
    expect(streetClass("footway")).toBe("service");
    expect(streetClass("track")).toBe("track");
  });

  it("styles by layer and class, per theme", () => {
    const major = pathStyle({ layer: "streets", highway: "primary" }, "dark");
    const minor = pathStyle({ layer: "streets", highway: "residential" }, "dark");
    expect(major.weight).toBeGreaterThan(minor.weight);
    expect(pathStyle({ layer: "streets", highway: "primary" }, "light").color).not.toBe(major.color);
    expect(pathStyle({ layer: "boundary" }, "dark")).toMatchObject({ fill: false, color: PALETTES.dark.boundary });
    expect(pathStyle({ layer: "blocks" }, "light")).toMatchObject({ fill: true, fillColor: PALETTES.light.blockFill });
  });

  it("draws main roads at every zoom and details only closer in", () => {
    expect(minZoomOf({ layer: "streets", highway: "secondary" })).toBe(0);
    expect(minZoomOf({ layer: "streets", highway: "residential" })).toBeGreaterThan(10);
    expect(minZoomOf({ layer: "blocks" })).toBeGreaterThan(minZoomOf({ layer: "microdistricts" }));
    expect(labelMinZoom({ layer: "settlements", kind: "town" })).toBe(0);
    expect(labelMinZoom({ layer: "settlements", kind: "hamlet" })).toBeGreaterThan(labelMinZoom({ layer: "settlements", kind: "village" }));
  });

  it("ranks settlements by OSM kind, else by population", () => {
    expect(settlementRank({ layer: "settlements", kind: "settlement", population: 36_352 })).toBe("town");
    expect(settlementRank({ layer: "settlements", kind: "settlement", population: 3703 })).toBe("village");
    expect(settlementRank({ layer: "settlements", kind: "settlement", population: 23 })).toBe("hamlet");
    expect(settlementRank({ layer: "settlements", kind: "settlement" })).toBe("village");
    expect(settlementRank({ layer: "settlements", kind: "hamlet", population: 20_000 })).toBe("hamlet");
    expect(labelMinZoom({ layer: "settlements", kind: "settlement", population: 36_352 })).toBe(0);
    expect(settlementRadius({ kind: "settlement", population: 36_352 })).toBeGreaterThan(settlementRadius({ population: 40 }));
  });

  it("outlines streets in the light theme only, never tracks", () => {
    expect(casingStyle({ layer: "streets", highway: "residential" }, "dark")).toBeNull();
    const casing = casingStyle({ layer: "streets", highway: "residential" }, "light")!;
    expect(casing.color).toBe(PALETTES.light.streetCasing);
    expect(casingWeight(casing.weight)).toBeGreaterThan(pathStyle({ layer: "streets", highway: "residential" }, "light").weight);
    expect(casingStyle({ layer: "streets", highway: "track" }, "light")).toBeNull();
    expect(casingStyle({ layer: "blocks" }, "light")).toBeNull();
  });

  it("draws blocks under streets and the boundary on top", () => {
    expect(drawOrder({ layer: "blocks" })).toBeLessThan(drawOrder({ layer: "streets", highway: "residential" }));
    expect(drawOrder({ layer: "streets", highway: "residential" })).toBeLessThan(drawOrder({ layer: "streets", highway: "primary" }));
    expect(drawOrder({ layer: "boundary" })).toBeGreaterThan(drawOrder({ layer: "streets", highway: "primary" }));
  });
});

describe("markers", () => {
  it("fills a device marker with its health colour and rings the selected one", () => {
    const svg = deviceMarkerSvg("camera", "offline");
    expect(svg).toContain(HEALTH_COLORS.offline);
    expect(svg).not.toContain("stroke-dasharray");
    expect(deviceMarkerSvg("camera", "online", { selected: true })).toContain("stroke-dasharray");
    expect(deviceMarkerSvg("sos_terminal", "online")).not.toEqual(deviceMarkerSvg("camera", "online"));
    expect(deviceMarkerSvg("teleporter", "online")).toContain("<svg");
  });

  it("sizes and colours cluster badges", () => {
    expect(clusterSize(5)).toBeLessThan(clusterSize(50));
    expect(clusterSize(50)).toBeLessThan(clusterSize(500));
    expect(abbreviateCount(469)).toBe("469");
    expect(abbreviateCount(1234)).toBe("1.2k");
    expect(abbreviateCount(12_345)).toBe("12k");
    const html = clusterBadgeHtml(469, "degraded");
    expect(html).toContain('data-health="degraded"');
    expect(html).toContain(HEALTH_COLORS.degraded);
    expect(html).toContain(">469<");
  });

  it("rings a cluster with the share of each health state", () => {
    expect(healthRing({ online: 3, offline: 1 })).toBe(
      `conic-gradient(${HEALTH_COLORS.online} 0.0deg 270.0deg, ${HEALTH_COLORS.offline} 270.0deg 360.0deg)`,
    );
    expect(healthRing({})).toBeNull();
    expect(clusterBadgeHtml(4, "offline", { online: 3, offline: 1 })).toContain("conic-gradient(");
  });
});
