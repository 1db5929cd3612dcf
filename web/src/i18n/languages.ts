/** Interface languages, in the order they are offered to the user. */
export const LANGUAGES = ["kk", "ru", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const FALLBACK_LANGUAGE: Language = "ru";
export const LANGUAGE_STORAGE_KEY = "qorgau.lang";

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** "kk-KZ" → "kk", "RU" → "ru"; anything we do not ship → null. */
export function normaliseLanguage(value: unknown): Language | null {
  if (typeof value !== "string") return null;
  const primary = value.trim().toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : null;
}

export interface LanguageSources {
  stored?: string | null;
  metaDefault?: string | null;
  navigatorLanguages?: readonly string[];
}

/**
 * Order of precedence: the user's explicit choice (localStorage), the
 * deployment default from /api/meta, the browser's languages, then Russian.
 */
export function resolveLanguage(sources: LanguageSources): Language {
  const stored = normaliseLanguage(sources.stored);
  if (stored) return stored;
  const meta = normaliseLanguage(sources.metaDefault);
  if (meta) return meta;
  for (const candidate of sources.navigatorLanguages ?? []) {
    const lang = normaliseLanguage(candidate);
    if (lang) return lang;
  }
  return FALLBACK_LANGUAGE;
}

/** BCP 47 locale used for Intl date and number formatting. */
export function intlLocale(lang: Language): string {
  switch (lang) {
    case "kk":
      return "kk-KZ";
    case "ru":
      return "ru-RU";
    case "en":
      return "en-GB";
  }
}

export function readStoredLanguage(): Language | null {
  try {
    return normaliseLanguage(window.localStorage.getItem(LANGUAGE_STORAGE_KEY));
  } catch {
    return null;
  }
}

export function storeLanguage(lang: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // Storage may be unavailable (private mode, policy); the choice then lasts for the tab only.
  }
}

export function navigatorLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}
