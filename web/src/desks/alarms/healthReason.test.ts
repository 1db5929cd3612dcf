import { describe, expect, it } from "vitest";
import en from "../../locales/en.json";
import { healthReasonKey } from "./healthReason";

describe("healthReasonKey", () => {
  it("names the reason of a health alarm, translated in the catalogue", () => {
    const key = healthReasonKey({ code: "CAM-0001", current: "degraded", reason: "picture_covered" }, "devices.health_changed");
    expect(key).toBe("map.healthReason.picture_covered");
    expect(en.map.healthReason.picture_covered).toBe("Picture covered or dark");
  });

  it("is null for other alarms and for malformed reasons", () => {
    expect(healthReasonKey({ reason: "picture_covered" }, "video.analytics_event")).toBeNull();
    expect(healthReasonKey({ reason: "<b>x</b>" }, "devices.health_changed")).toBeNull();
    expect(healthReasonKey(null, "devices.health_changed")).toBeNull();
  });
});
