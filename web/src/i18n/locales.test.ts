import { describe, expect, it } from "vitest";
import en from "../locales/en.json";
import kk from "../locales/kk.json";
import ru from "../locales/ru.json";
import { LANGUAGES, resolveLanguage } from "./languages";
import { flatten, interpolate, lookup, translate, type NestedMessages } from "./messages";

const catalogues: Record<string, NestedMessages> = { kk, ru, en };
const flat = Object.fromEntries(Object.entries(catalogues).map(([lang, m]) => [lang, flatten(m)]));

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe("translation files", () => {
  it("exist for every interface language", () => {
    expect(Object.keys(catalogues).sort()).toEqual([...LANGUAGES].sort());
  });

  it("have identical key sets in kk, ru and en", () => {
    const reference = Object.keys(flat.en).sort();
    expect(reference.length).toBeGreaterThan(50);
    for (const lang of LANGUAGES) {
      expect(Object.keys(flat[lang]).sort(), `keys of ${lang}.json`).toEqual(reference);
    }
  });

  it("contain only non-empty strings", () => {
    for (const lang of LANGUAGES) {
      for (const [key, value] of Object.entries(flat[lang])) {
        expect(typeof value, `${lang}:${key}`).toBe("string");
        expect(value.trim(), `${lang}:${key} is empty`).not.toBe("");
      }
    }
  });

  it("use the same {placeholders} for a key in every language", () => {
    for (const key of Object.keys(flat.en)) {
      const expected = placeholders(flat.en[key]);
      for (const lang of LANGUAGES) {
        expect(placeholders(flat[lang][key]), `${lang}:${key}`).toEqual(expected);
      }
    }
  });

  it("translate every role and every error code of the backend contract", () => {
    const roles = ["operator", "dispatcher", "supervisor", "inspector", "analyst", "admin", "auditor", "patrol", "simulator"];
    const codes = [
      "auth.invalid_credentials",
      "auth.throttled",
      "auth.not_authenticated",
      "auth.forbidden",
      "auth.csrf_failed",
      "request.validation_failed",
    ];
    for (const lang of LANGUAGES) {
      for (const role of roles) expect(flat[lang][`roles.${role}`], `${lang}: role ${role}`).toBeTruthy();
      for (const code of codes) expect(flat[lang][`errors.${code}`], `${lang}: ${code}`).toBeTruthy();
    }
  });

  it("write Kazakh with Kazakh-specific Cyrillic letters and Russian in Cyrillic", () => {
    const kazakhLetters = /[ӘәҒғҚқҢңӨөҰұҮүҺһІі]/;
    expect(Object.values(flat.kk).some((v) => kazakhLetters.test(v))).toBe(true);
    expect(flat.kk["login.password"]).toMatch(kazakhLetters);
    expect(flat.ru["login.password"]).toMatch(/^[А-Яа-яЁё ]+$/);
  });
});

describe("message lookup", () => {
  it("interpolates placeholders and leaves unknown ones alone", () => {
    expect(interpolate("in {seconds} s", { seconds: 30 })).toBe("in 30 s");
    expect(interpolate("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });

  it("returns undefined for missing dynamic keys and the key for missing static ones", () => {
    expect(lookup("ru", "errors.no.such_code")).toBeUndefined();
    expect(lookup("ru", "errors.auth.invalid_credentials")).toBe("Неверное имя пользователя или пароль.");
    expect(translate("en", "login.submit")).toBe("Sign in");
  });
});

describe("language resolution", () => {
  it("prefers the stored choice, then /api/meta, then the browser, then Russian", () => {
    expect(resolveLanguage({ stored: "en", metaDefault: "kk", navigatorLanguages: ["ru"] })).toBe("en");
    expect(resolveLanguage({ stored: null, metaDefault: "kk", navigatorLanguages: ["en"] })).toBe("kk");
    expect(resolveLanguage({ stored: "de", metaDefault: "fr", navigatorLanguages: ["de-DE", "en-US"] })).toBe("en");
    expect(resolveLanguage({ navigatorLanguages: ["kk-KZ"] })).toBe("kk");
    expect(resolveLanguage({ navigatorLanguages: ["de-DE"] })).toBe("ru");
    expect(resolveLanguage({})).toBe("ru");
  });
});
