import { describe, expect, it } from "vitest";
import { drillDownParams } from "./offences";
import { offenceReportUrl, statsParams } from "./statistics";

describe("statistics and offences query strings", () => {
  const query = { first: "2026-01-01", last: "2026-03-31", districts: [3], settlements: ["Аксай"], articleGroups: ["theft"], includeGenerated: true };

  it("asks the figure routes for a custom period with every filter", () => {
    const params = statsParams(query);
    expect(params.get("period")).toBe("custom");
    expect([params.get("first"), params.get("last")]).toEqual(["2026-01-01", "2026-03-31"]);
    expect(params.getAll("district")).toEqual(["3"]);
    expect(params.getAll("settlement")).toEqual(["Аксай"]);
    expect(params.getAll("article_group")).toEqual(["theft"]);
    expect(params.get("include_generated")).toBe("true");
    expect(statsParams({ ...query, includeGenerated: false }).has("include_generated")).toBe(false);
    expect(statsParams({ ...query, kinds: ["criminal"] }).getAll("kind")).toEqual(["criminal"]);
  });

  it("builds the report's download address", () => {
    const url = new URL(offenceReportUrl(query, "pdf", "kk", "court"), "http://x");
    expect(url.pathname).toBe("/api/statistics/reports/offences");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: "2026-01-01", to: "2026-03-31", format: "pdf", lang: "kk", district_id: "3", settlement: "Аксай",
      article_group: "theft", include_generated: "true", reading: "court",
    });
  });

  it("names the sources of a drill-down: generated records only when included", () => {
    const drill = { first: "2026-01-01", last: "2026-01-31", districtId: 2, offenceClass: "crime", includeGenerated: false };
    const params = drillDownParams(drill, "abc");
    expect(params.getAll("source")).toEqual(["import", "qorgau"]);
    expect([params.get("date_from"), params.get("date_to"), params.get("district_id"), params.get("offence_class")]).toEqual(["2026-01-01", "2026-01-31", "2", "crime"]);
    expect(params.get("cursor")).toBe("abc");
    expect(params.get("draft")).toBe("false");
    expect(drillDownParams({ ...drill, includeGenerated: true }).getAll("source")).toEqual(["import", "qorgau", "generated"]);
  });
});
