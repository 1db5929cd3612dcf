import { describe, expect, it } from "vitest";
import type { AlarmItem } from "../../api/alarms";
import { BAND_COLORS, alarmItem, type OpsItem } from "./ops";
import { AlarmClusters, isClusterKey } from "./opsClusters";

const TOWN: [number, number, number, number] = [52.9, 51.1, 53.1, 51.25];

function alarm(id: number, lon: number, lat: number, extra: Partial<AlarmItem> = {}): OpsItem {
  const item = alarmItem({ id, state: "new", priority: 100, lon, lat, last_at: "2026-12-07T08:00:00Z", ...extra } as AlarmItem);
  if (!item) throw new Error("no item");
  return item;
}

describe("alarms clustered on the map", () => {
  it("a power cut's alarms near each other become one blinking marker with their count and the most urgent colour", () => {
    const alarms = [...Array.from({ length: 300 }, (_, k) => alarm(k + 1, 53.0 + k * 1e-5, 51.17)), alarm(999, 53.0, 51.1701, { priority: 1, state: "acknowledged" })];
    const clusters = new AlarmClusters(19);
    clusters.load(alarms);
    const view = clusters.view(TOWN, 13);
    expect(view).toHaveLength(1);
    const [cluster] = view;
    expect(isClusterKey(cluster.key)).toBe(true);
    expect(cluster.count).toBe(301);
    expect(cluster.label).toBe("301");
    expect(cluster.color).toBe(BAND_COLORS.critical);
    expect(cluster.blink).toBe(true);
  });

  it("alarms apart are drawn one by one, and a cluster of acknowledged alarms does not blink", () => {
    const clusters = new AlarmClusters(19);
    clusters.load([alarm(1, 52.95, 51.15), alarm(2, 53.05, 51.2, { state: "acknowledged" }), alarm(3, 53.0500001, 51.2, { state: "acknowledged" })]);
    const view = clusters.view(TOWN, 13);
    expect(view.map((i) => i.key).sort()).toEqual(expect.arrayContaining(["alarm:1"]));
    const cluster = view.find((i) => i.count);
    expect(cluster?.count).toBe(2);
    expect(cluster?.blink).toBe(false);
  });

  it("a click zooms into a cluster, or opens the most urgent alarm when they share one spot", () => {
    const clusters = new AlarmClusters(19);
    clusters.load([alarm(1, 53.0, 51.17, { priority: 50 }), alarm(2, 53.0, 51.17, { priority: 5 }), alarm(3, 53.001, 51.17)]);
    const far = clusters.view(TOWN, 10).find((i) => i.count);
    expect(clusters.expand(far?.key ?? "")).toEqual({ zoom: expect.any(Number) as number });
    const spot = clusters.view(TOWN, 19).find((i) => i.count);
    expect(spot?.count).toBe(2);
    expect(clusters.expand(spot?.key ?? "")).toEqual({ open: "alarm:2" });
    expect(clusters.expand("alarm:1")).toBeNull();
  });
});
