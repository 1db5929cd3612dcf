import { useEffect, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { fetchCategories } from "./api";

const cache = new Map<string, Promise<Record<string, string>>>();

/** Category names in the UI language (code → name); empty until loaded or when unavailable. */
export function useCategoryNames(): Record<string, string> {
  const { lang } = useI18n();
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    let cancelled = false;
    let pending = cache.get(lang);
    if (!pending) {
      pending = fetchCategories()
        .then((list) => Object.fromEntries((Array.isArray(list) ? list : []).map((c) => [c.code, c.name])))
        .catch(() => {
          cache.delete(lang);
          return {};
        });
      cache.set(lang, pending);
    }
    void pending.then((found) => {
      if (!cancelled) setNames(found);
    });
    return () => {
      cancelled = true;
    };
  }, [lang]);
  return names;
}
