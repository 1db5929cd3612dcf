import { describe, expect, it } from "vitest";
import { objectQueryString } from "../../../api/analytics";
import { MAX_SEARCH_CAMERAS, groupsOf, othersOfGroup, searchCameras } from "./search";

const town = [
  { code: "CAM-0003", group: "yard" }, { code: "CAM-0001", group: "public_space" }, { code: "CAM-0002", group: "yard" },
  ...Array.from({ length: 25 }, (_, i) => ({ code: `CAM-1${String(i).padStart(3, "0")}`, group: "intersection" })),
];

describe("cameras of an object search", () => {
  it("lists the groups the user's cameras are in, with their sizes", () => {
    expect(groupsOf(town)).toEqual([{ code: "intersection", count: 25 }, { code: "public_space", count: 1 }, { code: "yard", count: 2 }]);
  });
  it("takes a group's cameras beside the focus, as many as one search may name, and says how many were left out", () => {
    expect(othersOfGroup(town, "yard", "CAM-0002")).toEqual({ others: ["CAM-0003"], cut: 0 });
    const crossing = othersOfGroup(town, "intersection", "CAM-0001");
    expect(crossing.others).toHaveLength(MAX_SEARCH_CAMERAS - 1);
    expect(crossing.cut).toBe(25 - (MAX_SEARCH_CAMERAS - 1));
  });
  it("names the focus first, then the others once each", () => {
    expect(searchCameras("CAM-0002", ["CAM-0003", "CAM-0002", "CAM-0003"])).toEqual(["CAM-0002", "CAM-0003"]);
    expect(searchCameras("CAM-0001", town.map((c) => c.code))).toHaveLength(MAX_SEARCH_CAMERAS);
  });
  it("puts every camera in the query", () => {
    const query = new URLSearchParams(objectQueryString({ camera: ["CAM-0002", "CAM-0003"], from: "a", to: "b" }));
    expect(query.getAll("camera")).toEqual(["CAM-0002", "CAM-0003"]);
  });
});
