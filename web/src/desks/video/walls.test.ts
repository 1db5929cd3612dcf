import { describe, expect, it } from "vitest";
import { eventWindow, parseVideoLink, videoDeskLink } from "../../video/links";
import { emptyTile, fitTiles, followedAlarm, layoutFor, placeCamera, tileCount } from "./walls";

describe("walls", () => {
  it("have 1, 4, 9 and 16 tiles", () => {
    expect(["1", "2x2", "3x3", "4x4"].map((l) => tileCount(l as "1"))).toEqual([1, 4, 9, 16]);
  });
  it("keep tiles when the layout grows and cut them when it shrinks", () => {
    const tiles = placeCamera(fitTiles([], "2x2"), "CAM-1", 3);
    expect(fitTiles(tiles, "3x3")[3].camera).toBe("CAM-1");
    expect(fitTiles(tiles, "1")).toEqual([emptyTile()]);
  });
  it("place a clicked camera in the first free tile, or the last when full", () => {
    let tiles = fitTiles([], "2x2");
    tiles = placeCamera(tiles, "A", null);
    tiles = placeCamera(tiles, "B", null);
    expect(tiles.map((t) => t.camera)).toEqual(["A", "B", null, null]);
    tiles = placeCamera(placeCamera(tiles, "C", null), "D", null);
    expect(placeCamera(tiles, "E", null).map((t) => t.camera)).toEqual(["A", "B", "C", "E"]);
  });
  it("pick the smallest layout for a number of cameras", () => {
    expect([1, 2, 5, 12, 30].map(layoutFor)).toEqual(["1", "2x2", "3x3", "4x4", "4x4"]);
  });
  it("follow new alarms that have a position", () => {
    expect(followedAlarm("alarms.raised", { state: "new", lon: 76.9, lat: 43.2 })).toEqual({ lon: 76.9, lat: 43.2 });
    expect(followedAlarm("alarms.acknowledged", { state: "acknowledged", lon: 1, lat: 2 })).toBeNull();
    expect(followedAlarm("alarms.raised", { state: "new" })).toBeNull();
    expect(followedAlarm("incidents.created", { state: "new", lon: 1, lat: 2 })).toBeNull();
  });
});

describe("links", () => {
  it("round-trip cameras and the event's time", () => {
    const link = videoDeskLink({ cameras: ["CAM-1", "CAM-2"], at: "2026-12-07T10:00:00Z" });
    expect(link).toBe("/video?cameras=CAM-1%2CCAM-2&at=2026-12-07T10%3A00%3A00Z");
    expect(parseVideoLink(link.slice("/video".length))).toEqual({ cameras: ["CAM-1", "CAM-2"], at: "2026-12-07T10:00:00Z" });
    expect(parseVideoLink("?at=x")).toBeNull();
  });
  it("open playback 30 s before the event, not past now", () => {
    const at = "2026-12-07T10:00:00Z";
    const w = eventWindow(at, Date.parse(at) + 120_000);
    expect(w.startMs).toBe(Date.parse(at) - 30_000);
    expect(w.toMs).toBe(Date.parse(at) + 120_000);
  });
});
