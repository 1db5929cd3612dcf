import { describe, expect, it } from "vitest";
import type { DeviceDetail, DeviceFeatureCollection, DeviceSummary } from "../../api/types";
import {
  activeModel,
  applyHealthChanges,
  devicesFromGeoJson,
  isDeviceVisible,
  latestInstant,
  layerCounts,
  localName,
  mergeDevice,
  modelsOf,
  parseHealthChanged,
  readCountMap,
  streamPresent,
  streamsOf,
  worstHealth,
  worstOfCounts,
  type MapDevice,
} from "./model";
import { cameraOptics } from "./optics";

function point(code: string, props: Record<string, unknown> = {}, coordinates: unknown = [53.01, 51.17]) {
  return { type: "Feature", geometry: { type: "Point", coordinates }, properties: { code, kind: "camera", ...props } };
}

/** GET /api/devices/{code} of a commissioned yard camera, with `extra` over it. */
function registry(code: string, extra: Partial<DeviceDetail> = {}): DeviceDetail {
  return {
    code, kind: "camera", purpose: "yard", name_kk: "", name_ru: "", name_en: "", site_code: null, site_name_kk: null, site_name_ru: null,
    lon: 53.01, lat: 51.17, heading_deg: null, fov_deg: null, range_m: null, stream_main: null, stream_sub: null,
    lifecycle: "commissioned", supervision_interval_s: null, identifiers: { dc09: null, mqtt_client_id: null, sip_user: null },
    dc09_local_time: false, zones: [], generated: false, simulated: false, health: "unknown", last_seen_at: null,
    health_changed_at: null, effective_supervision_interval_s: 300, has_credentials: false, has_dc09_key: false,
    created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", decommissioned_at: null, ...extra,
  };
}

/** GET /api/devices/summary with the given maps, the others empty. */
function summary(maps: Partial<DeviceSummary> = {}): DeviceSummary {
  return { total: 0, by_kind: {}, by_purpose: {}, by_health: {}, by_lifecycle: {}, ...maps };
}

function collection(...features: unknown[]): DeviceFeatureCollection {
  return { type: "FeatureCollection", features } as DeviceFeatureCollection;
}

function device(code: string, kind: string, purpose: string | null = null, health: MapDevice["health"] = "online"): MapDevice {
  return {
    code,
    kind,
    purpose,
    health,
    lifecycle: null,
    name_kk: null,
    name_ru: null,
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
  };
}

describe("cluster colour: the worst health inside", () => {
  it("ranks offline > degraded > unknown > online", () => {
    expect(worstHealth(["online", "online"])).toBe("online");
    expect(worstHealth(["online", "unknown"])).toBe("unknown");
    expect(worstHealth(["unknown", "degraded", "online"])).toBe("degraded");
    expect(worstHealth(["degraded", "offline", "online"])).toBe("offline");
  });

  it("treats anything unexpected as unknown, and an empty set as unknown", () => {
    expect(worstHealth(["online", "exploded", null])).toBe("unknown");
    expect(worstHealth([])).toBe("unknown");
  });

  it("reads per-health tallies of a cluster", () => {
    expect(worstOfCounts({ online: 40, degraded: 0, offline: 0, unknown: 0 })).toBe("online");
    expect(worstOfCounts({ online: 40, degraded: 1, offline: 0, unknown: 3 })).toBe("degraded");
    expect(worstOfCounts({ online: 40, offline: 1 })).toBe("offline");
    expect(worstOfCounts({})).toBe("unknown");
  });
});

describe("devices from the registry GeoJSON", () => {
  it("keeps Point features with a code and normalises their fields", () => {
    const devices = devicesFromGeoJson(
      collection(
        point("CAM-0001", { purpose: "yard", health: "offline", name_ru: "Двор" }),
        point("CAM-0002", { health: "sleeping" }),
        point("CAM-0001", {}), // duplicate code
        { type: "Feature", geometry: { type: "LineString", coordinates: [] }, properties: { code: "X" } },
        { type: "Feature", geometry: null, properties: { code: "Y" } },
        point("BAD", {}, [999, 51]),
        point("", {}),
      ),
    );
    expect(devices.map((d) => d.code)).toEqual(["CAM-0001", "CAM-0002"]);
    expect(devices[0]).toMatchObject({ kind: "camera", purpose: "yard", health: "offline", name_ru: "Двор", lon: 53.01 });
    expect(devices[1].health).toBe("unknown");
    const camera = devicesFromGeoJson(collection(point("CAM-9", { heading_deg: 45, fov_deg: 90, range_m: "far" })))[0];
    expect(camera).toMatchObject({ heading_deg: 45, fov_deg: 90, range_m: null });
  });

  it("survives junk", () => {
    expect(devicesFromGeoJson(null)).toEqual([]);
    expect(devicesFromGeoJson({} as DeviceFeatureCollection)).toEqual([]);
  });
});

describe("names in the UI language", () => {
  const item = { name_kk: "Мектеп", name_ru: "Школа", name_en: null };
  it("prefers the language, then falls back", () => {
    expect(localName(item, "kk")).toBe("Мектеп");
    expect(localName(item, "ru")).toBe("Школа");
    expect(localName(item, "en")).toBe("Школа");
    expect(localName({ name_kk: "Ақсай" }, "ru")).toBe("Ақсай");
    expect(localName({ name: "Plain" }, "en")).toBe("Plain");
    expect(localName({ site_name_ru: "Объект" }, "kk", "site_name")).toBe("Объект");
    expect(localName({}, "kk")).toBeNull();
  });
});

describe("layer toggles", () => {
  it("hides a kind, and a camera purpose only for cameras", () => {
    const toggles = { kinds: { sos_terminal: false }, purposes: { yard: false } };
    expect(isDeviceVisible(device("SOS-01", "sos_terminal"), toggles)).toBe(false);
    expect(isDeviceVisible(device("CAM-1", "camera", "yard"), toggles)).toBe(false);
    expect(isDeviceVisible(device("CAM-2", "camera", "public_space"), toggles)).toBe(true);
    expect(isDeviceVisible(device("CAM-3", "camera", null), toggles)).toBe(true);
    expect(isDeviceVisible(device("ALP-1", "alarm_panel", "yard"), toggles)).toBe(true);
    expect(isDeviceVisible(device("CAM-4", "camera", "yard"), { kinds: { camera: false }, purposes: {} })).toBe(false);
    expect(isDeviceVisible({ ...device("CAM-5", "camera"), lifecycle: "decommissioned" }, { kinds: {}, purposes: {} })).toBe(false);
  });
});

describe("layer counts: summary, else counted from the GeoJSON", () => {
  const devices = [
    device("CAM-1", "camera", "yard"),
    device("CAM-2", "camera", "yard", "offline"),
    device("CAM-3", "camera", "speed"),
    device("SOS-1", "sos_terminal"),
    { ...device("CAM-9", "camera", "yard", "unknown"), lifecycle: "decommissioned" },
  ];

  it("takes the registry's summary when it answers", () => {
    const counts = layerCounts(
      summary({ by_kind: { camera: 469, sos_terminal: 12 }, by_purpose: { yard: 100 }, by_health: { online: 481 } }),
      devices,
    );
    expect(counts.source).toBe("summary");
    expect(counts.kinds.camera).toBe(469);
    expect(counts.purposes.yard).toBe(100);
    expect(counts.health.online).toBe(481);
  });

  it("counts the GeoJSON when the summary is missing or empty", () => {
    for (const answer of [null, undefined, summary()]) {
      const counts = layerCounts(answer, devices);
      expect(counts.source).toBe("geojson");
      expect(counts.kinds).toEqual({ camera: 3, sos_terminal: 1 });
      expect(counts.purposes).toEqual({ yard: 2, speed: 1 });
      expect(counts.health).toEqual({ online: 3, offline: 1 });
    }
  });

  it("fills a missing purpose map from the GeoJSON", () => {
    const counts = layerCounts(summary({ by_kind: { camera: 469 } }), devices);
    expect(counts.kinds.camera).toBe(469);
    expect(counts.purposes).toEqual({ yard: 2, speed: 1 });
  });

  it("reads count lists as well as maps", () => {
    expect(readCountMap([{ kind: "camera", count: 469 }, { key: "sos_terminal", count: 12 }, { kind: "x" }])).toEqual({
      camera: 469,
      sos_terminal: 12,
    });
    expect(readCountMap({ camera: 469, junk: "many" })).toEqual({ camera: 469 });
    expect(readCountMap("469")).toBeNull();
  });
});

describe("live health", () => {
  const event = (payload: Record<string, unknown>, name = "devices.health_changed") => ({
    name,
    payload,
    subject_id: "CAM-0002",
  });

  it("parses devices.health_changed and ignores other events", () => {
    expect(parseHealthChanged(event({ code: "CAM-0001", current: "offline", previous: "online", last_seen_at: "t" }))).toEqual({
      code: "CAM-0001",
      current: "offline",
      lastSeenAt: "t",
    });
    expect(parseHealthChanged(event({ current: "degraded" }))?.code).toBe("CAM-0002");
    expect(parseHealthChanged(event({ code: "CAM-0001" }))).toBeNull();
    expect(parseHealthChanged(event({ code: "CAM-0001", current: "offline" }, "incident.created"))).toBeNull();
  });

  it("updates only the devices that changed, keeping the array when nothing did", () => {
    const devices = [device("A", "camera"), device("B", "camera")];
    const same = applyHealthChanges(devices, [{ code: "A", current: "online", lastSeenAt: null }]);
    expect(same).toBe(devices);
    const next = applyHealthChanges(devices, [
      { code: "B", current: "degraded", lastSeenAt: null },
      { code: "B", current: "offline", lastSeenAt: "2026-01-01T00:00:00Z" },
      { code: "Z", current: "offline", lastSeenAt: null },
    ]);
    expect(next).not.toBe(devices);
    expect(next[0]).toBe(devices[0]);
    expect(next[1]).toMatchObject({ health: "offline", last_seen_at: "2026-01-01T00:00:00Z" });
  });
});

describe("device card data", () => {
  it("says a stream is present for a URL or true", () => {
    expect(streamPresent("rtsp://10.0.0.1/main")).toBe(true);
    expect(streamPresent(true)).toBe(true);
    expect(streamPresent(null)).toBe(false);
    expect(streamPresent("")).toBe(false);
    expect(streamPresent(false)).toBe(false);
  });

  it("reads streams from stream_main/stream_sub once the registry answered", () => {
    expect(streamsOf(registry("C", { stream_main: "rtsp://a/main", stream_sub: null }))).toEqual({ main: true, sub: false, known: true });
    expect(streamsOf(registry("C"))).toEqual({ main: false, sub: false, known: true });
    expect(streamsOf(undefined)).toEqual({ main: false, sub: false, known: false });
  });

  it("merges the registry's details over the map copy, keeping live health", () => {
    const live = { ...device("CAM-1", "camera", "yard", "offline"), last_seen_at: "2026-01-01T10:00:00Z" };
    const merged = mergeDevice(live, registry("CAM-1", {
      health: "online",
      last_seen_at: "2026-01-01T09:00:00Z",
      heading_deg: 90,
      site_code: null,
    }));
    expect(merged).toMatchObject({ code: "CAM-1", health: "offline", heading_deg: 90, last_seen_at: "2026-01-01T10:00:00Z" });
    expect(mergeDevice(undefined, undefined)).toBeNull();
    expect(mergeDevice(undefined, registry("X", { health: "degraded" }))?.health).toBe("degraded");
  });

  it("picks the later of two instants", () => {
    expect(latestInstant("2026-01-01T10:00:00Z", "2026-01-01T11:00:00+03:00")).toBe("2026-01-01T10:00:00Z");
    expect(latestInstant(null, "2026-01-01T11:00:00Z")).toBe("2026-01-01T11:00:00Z");
    expect(latestInstant("junk", null)).toBe("junk");
    expect(latestInstant(undefined, undefined)).toBeNull();
  });
});

describe("city models", () => {
  const model = (id: number, active: boolean, generated = true) => ({ id, name: `m${id}`, generated, active });

  it("reads a page or a bare list", () => {
    expect(modelsOf({ items: [model(1, true)], next_cursor: null }).map((m) => m.id)).toEqual([1]);
    expect(modelsOf([model(2, false)]).map((m) => m.id)).toEqual([2]);
    expect(modelsOf({ detail: "nope" })).toEqual([]);
    expect(modelsOf(null)).toEqual([]);
  });

  it("picks the active model, else the only one", () => {
    expect(activeModel([model(1, false), model(2, true, false)])?.id).toBe(2);
    expect(activeModel([model(3, false)])?.id).toBe(3);
    expect(activeModel([model(1, false), model(2, false)])).toBeNull();
    expect(activeModel(null)).toBeNull();
  });
});

describe("camera optics", () => {
  it("uses the camera's own values", () => {
    expect(cameraOptics({ code: "C", purpose: "yard", lon: 53, lat: 51, heading_deg: 10, fov_deg: 60, range_m: 25 })).toEqual({
      lon: 53,
      lat: 51,
      heading_deg: 10,
      fov_deg: 60,
      range_m: 25,
      fovDefault: false,
      rangeDefault: false,
    });
  });

  it("falls back to the purpose's defaults, never to a heading", () => {
    expect(cameraOptics({ code: "C", purpose: "speed", heading_deg: 90, fov_deg: 25 })).toMatchObject({
      fov_deg: 25,
      range_m: 100,
      fovDefault: false,
      rangeDefault: true,
    });
    expect(cameraOptics({ code: "C", purpose: "mystery" })).toMatchObject({ heading_deg: null, fov_deg: 90, range_m: 60 });
    expect(cameraOptics(null).heading_deg).toBeNull();
  });
});
