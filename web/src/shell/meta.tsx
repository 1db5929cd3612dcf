import { createContext, useContext } from "react";
import type { Meta } from "../api/types";
import { normaliseLanguage, type Language } from "../i18n/languages";

/** Deployment facts from GET /api/meta, with safe defaults when it is unavailable. */
export interface AppMeta {
  version: string | null;
  timeZone: string;
  defaultLanguage: Language | null;
}

/** Aksai (West Kazakhstan region) keeps Oral time. */
export const DEFAULT_TIME_ZONE = "Asia/Oral";

export function isValidTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone === "") return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function normaliseMeta(meta: Partial<Meta> | null | undefined): AppMeta {
  return {
    version: typeof meta?.version === "string" && meta.version !== "" ? meta.version : null,
    timeZone: isValidTimeZone(meta?.time_zone) ? meta.time_zone : DEFAULT_TIME_ZONE,
    defaultLanguage: normaliseLanguage(meta?.default_language),
  };
}

const MetaContext = createContext<AppMeta>(normaliseMeta(null));

export const MetaProvider = MetaContext.Provider;

export function useMeta(): AppMeta {
  return useContext(MetaContext);
}
