import { describe, expect, it } from "vitest";
import { plateHitOf } from "./plateHit";

const details = {
  plate: "123ABC02", pattern: "123ABC02", watchlist: "Розыск", kind: "wanted", reason: "ориентировка 17",
  direction: "in", vehicle_class: "car", colour: "white", crop_url: "/api/roads/reads/5/crop.jpg",
  snapshot_url: "/api/roads/reads/5/snapshot.jpg",
};

describe("plateHitOf", () => {
  it("reads a plate hit's details", () => {
    const hit = plateHitOf(details, "roads.plate_hit");
    expect(hit?.plate).toBe("123ABC02");
    expect(hit?.vehicle).toBe("car, white");
    expect(hit?.cropUrl).toBe("/api/roads/reads/5/crop.jpg");
  });
  it("ignores other alarms and foreign picture URLs", () => {
    expect(plateHitOf(details, "video.analytics_event")).toBeNull();
    expect(plateHitOf({ ...details, crop_url: "https://evil.example/x.jpg" }, "roads.plate_hit")?.cropUrl).toBeNull();
  });
});
