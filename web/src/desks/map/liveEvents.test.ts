import { describe, expect, it } from "vitest";
import { translate } from "../../i18n/messages";
import type { MessageKey } from "../../i18n/messages";
import type { LiveEvent } from "../../live/types";
import { eventNameKey, foldPositions } from "./liveEvents";

function event(id: number, name: string): LiveEvent {
  return { id, name, subject_type: "", subject_id: null, occurred_at: "2026-12-07T08:00:00Z", recorded_at: "2026-12-07T08:00:00Z", payload: {}, context: {} };
}

describe("the map's events tab", () => {
  it("folds GPS moves into a count and keeps everything else in order", () => {
    const events = [event(5, "units.moved"), event(4, "alarms.raised"), event(3, "ingest.gps_fix"), event(2, "units.moved"), event(1, "incidents.opened")];
    const { shown, positions } = foldPositions(events);
    expect(shown.map((e) => e.id)).toEqual([4, 1]);
    expect(positions).toBe(3);
  });

  it("names the catalogue's events in each language", () => {
    const names = ["alarms.raised", "devices.health_changed", "incidents.state_changed", "units.status_changed", "ingest.panel_event"];
    for (const lang of ["kk", "ru", "en"] as const) {
      for (const name of names) {
        const text = translate(lang, eventNameKey(name) as MessageKey);
        expect(text).not.toBe(eventNameKey(name));
        expect(text).not.toContain(".");
      }
    }
    expect(translate("ru", eventNameKey("alarms.raised") as MessageKey)).toBe("Поднята тревога");
  });
});
