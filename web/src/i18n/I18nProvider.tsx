import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { setRequestLanguage } from "../api/client";
import { intlLocale, normaliseLanguage, readStoredLanguage, storeLanguage, type Language } from "./languages";
import { lookup, translate, type MessageKey, type MessageVars } from "./messages";

export interface I18n {
  lang: Language;
  /** BCP 47 locale for Intl formatting. */
  locale: string;
  /** Explicit user choice: applied and remembered in localStorage. */
  setLanguage: (lang: Language) => void;
  /** A preference from the server (user.locale): applied only if the user never chose explicitly. */
  suggestLanguage: (lang: string | null | undefined) => void;
  t: (key: MessageKey, vars?: MessageVars) => string;
  /** For dynamic keys (error codes, roles): undefined when there is no such message. */
  tMaybe: (key: string, vars?: MessageVars) => string | undefined;
}

const I18nContext = createContext<I18n | null>(null);

function applyDocumentLanguage(lang: Language) {
  document.documentElement.lang = lang;
  setRequestLanguage(lang);
}

export function I18nProvider({ initial, children }: { initial: Language; children: ReactNode }) {
  const [lang, setLang] = useState<Language>(() => {
    applyDocumentLanguage(initial);
    return initial;
  });

  useEffect(() => applyDocumentLanguage(lang), [lang]);

  const setLanguage = useCallback((next: Language) => {
    storeLanguage(next);
    applyDocumentLanguage(next);
    setLang(next);
  }, []);

  const suggestLanguage = useCallback((candidate: string | null | undefined) => {
    const next = normaliseLanguage(candidate);
    if (!next || readStoredLanguage()) return;
    applyDocumentLanguage(next);
    setLang(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      lang,
      locale: intlLocale(lang),
      setLanguage,
      suggestLanguage,
      t: (key, vars) => translate(lang, key, vars),
      tMaybe: (key, vars) => lookup(lang, key, vars),
    }),
    [lang, setLanguage, suggestLanguage],
  );

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n must be used inside <I18nProvider>");
  return ctx;
}
