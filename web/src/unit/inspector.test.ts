import { describe, expect, it } from "vitest";
import { appealLines, policePoints, showsMyDistrict } from "./inspector";

describe("the inspector's district in the unit app", () => {
  it("shows the district to an inspector unless a dispatch or assignment is on", () => {
    expect(showsMyDistrict("inspector", "not_member", false)).toBe(true);
    expect(showsMyDistrict("inspector", "ready", false)).toBe(true);
    expect(showsMyDistrict("inspector", "ready", true)).toBe(false);
    expect(showsMyDistrict("inspector", "loading", false)).toBe(false);
    expect(showsMyDistrict("patrol", "ready", false)).toBe(false);
    expect(showsMyDistrict(undefined, "not_member", false)).toBe(false);
  });

  it("counts МОП and УПП among the district's sites", () => {
    const site = { code: "x", subtype: null, name_kk: "", name_ru: "", name_en: "" };
    expect(policePoints({ sites: [{ ...site, kind: "police_post" }, { ...site, kind: "reception_point" }, { ...site, kind: "social_object" }] })).toBe(2);
  });

  it("reads an appeals page defensively, open ones first", () => {
    expect(appealLines(null)).toEqual([]);
    expect(appealLines({ items: "nope" })).toEqual([]);
    const lines = appealLines({
      items: [
        { id: 3, number: "A-3", state: "answered", subject: "noise", address: "ул. Советская, 1", deadline: "2026-12-01", overdue: false },
        { id: 2, number: "A-2", state: "registered", address: "ул. Айтиева, 4", deadline: "2026-12-20", overdue: true },
        "junk",
        { number: "no id" },
        { id: 1, state: "in_progress" },
      ],
      next_cursor: null,
    });
    expect(lines.map((l) => l.id)).toEqual([2, 1, 3]);
    expect(lines[0]).toMatchObject({ open: true, overdue: true, subject: "", deadline: "2026-12-20" });
    expect(lines[1]).toMatchObject({ number: "1", address: "", deadline: null, open: true });
    expect(lines[2].open).toBe(false);
  });
});
