import { describe, expect, it } from "vitest";
import en from "../../locales/en.json";
import kk from "../../locales/kk.json";
import ru from "../../locales/ru.json";
import { vehicleWords } from "./vehicle";

const lookup = (messages: Record<string, unknown>) => (key: string): string | undefined => {
  const found = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
  return typeof found === "string" ? found : undefined;
};
const PALETTE = ["white", "silver", "grey", "black", "red", "orange", "yellow", "green", "blue", "brown"];

describe("vehicleWords", () => {
  it("names the colour in the UI's language", () => {
    expect(vehicleWords("car", "red", lookup(ru))).toBe("car, красный");
    expect(vehicleWords(null, "white", lookup(kk))).toBe("ақ");
    expect(vehicleWords("truck", null, lookup(en))).toBe("truck");
  });
  it("shows an unknown colour code as it came and a dash for nothing", () => {
    expect(vehicleWords("car", "mauve", lookup(en))).toBe("car, mauve");
    expect(vehicleWords(null, null, lookup(en))).toBe("—");
  });
  it("has every palette colour in kk, ru and en", () => {
    for (const messages of [kk, ru, en]) {
      for (const colour of PALETTE) expect(lookup(messages)(`roads.colour.${colour}`), colour).toBeTruthy();
    }
  });
});
