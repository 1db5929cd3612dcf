import type { AppealSubject } from "../../api/appeals";
import { isApiError } from "../../api/problem";
import type { Language } from "../../i18n/languages";

/** A subject's name in the interface language (the server ships all three). */
export function subjectName(subject: AppealSubject | undefined, lang: Language): string {
  if (!subject) return "—";
  return lang === "kk" ? subject.name_kk : lang === "ru" ? subject.name_ru : subject.name_en;
}

/** Each problem of a 422 answer in the interface language: `appeals.problem.<code>` where the server named a
 * code of this domain, else the server's own words. */
export function problemLines(error: unknown, tMaybe: (key: string, vars?: Record<string, string | number>) => string | undefined): string[] {
  if (!isApiError(error)) return [];
  const errors = (error.problem?.errors ?? []) as unknown as Record<string, string>[];
  return errors.map((e) => {
    const code = typeof e.code === "string" ? e.code : "";
    return (code.startsWith("appeals.problem.") ? tMaybe(code, { field: e.field ?? "" }) : undefined)
      ?? `${e.field ?? ""}: ${e.message ?? ""}`;
  });
}
