import { describe, expect, it } from "vitest";
import { analyticsOf } from "./analytics";

const details = {
  event_id: "12", code: "CAM-1", device_id: "4", rule_id: "3", rule: "School yard at night", kind: "zone", label: "person",
  track_id: "17", snapshot_url: "/api/video/analytics/events/12/snapshot.jpg", recording_at: "2026-12-07T21:14:03+00:00",
};

describe("an analytics alarm's details", () => {
  it("give the rule, class, snapshot and the recording's moment", () => {
    expect(analyticsOf(details, "video.analytics_event")).toEqual({
      camera: "CAM-1", rule: "School yard at night", kind: "zone", label: "person", count: null, direction: null,
      snapshotUrl: "/api/video/analytics/events/12/snapshot.jpg", recordingAt: "2026-12-07T21:14:03+00:00",
    });
  });
  it("read a crowd's count and take no snapshot from elsewhere than the API", () => {
    const crowd = analyticsOf({ ...details, kind: "crowd", label: "", count: "14", snapshot_url: "https://evil.example/x.jpg" }, "video.analytics_event");
    expect(crowd?.count).toBe(14);
    expect(crowd?.label).toBeNull();
    expect(crowd?.snapshotUrl).toBeNull();
  });
  it("are none for other alarms", () => {
    expect(analyticsOf({ code: "PANEL-1", kind: "burglary" }, "ingest.panel_event")).toBeNull();
    expect(analyticsOf(null)).toBeNull();
    expect(analyticsOf({ ...details, recording_at: "not a time" }, "video.analytics_event")?.recordingAt).toBeNull();
  });
});
