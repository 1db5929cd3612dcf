import { describe, expect, it } from "vitest";
import { etaMinutes, formatKm, lineLengthM, priorityTone, telHref } from "./format";
import { GPS_LOST_AFTER_MS, gpsView } from "./gpsView";
import { mapFrame, routeCoordinates } from "./mapFrame";
import { loadedAssetUrls } from "./pwa";
import { distanceM } from "./throttle";

describe("format", () => {
  it("rounds an ETA to whole minutes, at least one", () => {
    expect(etaMinutes(20)).toBe(1);
    expect(etaMinutes(150)).toBe(3);
    expect(etaMinutes(null)).toBeNull();
    expect(etaMinutes(-1)).toBeNull();
  });

  it("formats distances, phone links and priority bands", () => {
    expect(formatKm(1234)).toBe("1.2");
    expect(formatKm(12_600)).toBe("13");
    expect(lineLengthM([[53, 51], [53, 51.001], [53, 51.002]], distanceM)).toBeCloseTo(222.4, 0);
    expect(telHref("+7 (777) 123-45-67")).toBe("tel:+77771234567");
    expect(telHref("")).toBeNull();
    expect(priorityTone(10)).toBe("red");
    expect(priorityTone(60)).toBe("yellow");
    expect(priorityTone(150)).toBe("gray");
  });
});

describe("map frame", () => {
  it("boxes the route, the incident and me; one place is a point", () => {
    expect(mapFrame([], null, null)).toBeNull();
    expect(mapFrame([], { lon: 53, lat: 51 }, { lon: 53.00001, lat: 51.00001 })).toMatchObject({ kind: "point" });
    expect(mapFrame([[53, 51], [53.02, 51.01]], { lon: 53.03, lat: 51.005 }, null)).toEqual({
      kind: "bounds", west: 53, south: 51, east: 53.03, north: 51.01,
    });
    expect(mapFrame([[Number.NaN, 1]], null, null)).toBeNull();
  });

  it("reads the route's coordinates only from a LineString, dropping invalid points", () => {
    expect(routeCoordinates({ type: "LineString", coordinates: [[53, 51], [53.01, 51.01]] })).toEqual([[53, 51], [53.01, 51.01]]);
    expect(routeCoordinates({ type: "LineString", coordinates: [[53, 51], ["x", 1], [53, 95], [53.02]] })).toEqual([[53, 51]]);
    expect(routeCoordinates({ type: "Point", coordinates: [53, 51] })).toEqual([]);
    expect(routeCoordinates({ coordinates: "none" })).toEqual([]);
    expect(routeCoordinates(null)).toEqual([]);
  });
});

describe("GPS indicator", () => {
  const fix = { lon: 53, lat: 51, accuracy: 7.6, at: 1_000, speed_kmh: null, heading_deg: null };

  it("says ok with the accuracy, lost when the fix is old, and names each failure", () => {
    expect(gpsView({ state: "ok", fix }, 2_000)).toMatchObject({ state: "ok", tone: "ok", vars: { accuracy: 8 } });
    expect(gpsView({ state: "ok", fix }, 2_000, true)).toMatchObject({ tone: "warn", key: "unit.gps.sendFailed" });
    expect(gpsView({ state: "ok", fix }, 1_000 + GPS_LOST_AFTER_MS + 1)).toMatchObject({ state: "lost", tone: "bad" });
    expect(gpsView({ state: "denied", fix: null }, 0)).toMatchObject({ tone: "bad", key: "unit.gps.denied" });
    expect(gpsView({ state: "waiting", fix: null }, 0).tone).toBe("warn");
    expect(gpsView({ state: "insecure", fix: null }, 0).key).toBe("unit.gps.insecure");
  });
});

describe("PWA", () => {
  it("hands the worker only this origin's hashed assets", () => {
    const urls = loadedAssetUrls(
      [
        { name: "http://x.test/assets/index-abc.js" },
        { name: "http://x.test/assets/UnitApp-def.js" },
        { name: "http://x.test/assets/index-abc.js" },
        { name: "http://x.test/api/me/unit" },
        { name: "http://cdn.test/assets/evil.js" },
      ],
      "http://x.test",
    );
    expect(urls).toEqual(["/assets/UnitApp-def.js", "/assets/index-abc.js"]);
  });
});

describe("unit event stream", () => {
  it("asks the server only for assignment, unit status, incident and simulation events", async () => {
    const { unitStreamUrl } = await import("./liveStream");
    const url = new URL(unitStreamUrl({ protocol: "https:", host: "cou.example:8443" }));
    expect(url.protocol).toBe("wss:");
    expect(url.pathname).toBe("/api/events/ws");
    expect(url.searchParams.get("events")?.split(",")).toEqual([
      "units.assignment_changed",
      "units.status_changed",
      "incidents.",
      "simulation.",
    ]);
  });
});
