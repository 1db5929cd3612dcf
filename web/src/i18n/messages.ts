import en from "../locales/en.json";
import kk from "../locales/kk.json";
import ru from "../locales/ru.json";
import type { Language } from "./languages";

/** Union of dotted paths to every string leaf of a nested message object. */
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every message key; the English file is the reference shape (the tests keep all three equal). */
export type MessageKey = Leaves<typeof en>;

export type MessageVars = Record<string, string | number>;

export type NestedMessages = { [key: string]: string | NestedMessages };

export const CATALOGUES: Record<Language, NestedMessages> = { kk, ru, en };

/** Flattens {"a": {"b": "x"}} into {"a.b": "x"}. */
export function flatten(messages: NestedMessages, prefix = "", into: Record<string, string> = {}) {
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") into[path] = value;
    else flatten(value, path, into);
  }
  return into;
}

const FLAT: Record<Language, Record<string, string>> = {
  kk: flatten(kk),
  ru: flatten(ru),
  en: flatten(en),
};

/** Replaces {name} placeholders; unknown placeholders are left as they are. */
export function interpolate(template: string, vars?: MessageVars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : match,
  );
}

/** Looks a key up; undefined when the key does not exist (used for dynamic keys such as error codes). */
export function lookup(lang: Language, key: string, vars?: MessageVars): string | undefined {
  const template = FLAT[lang][key];
  return template === undefined ? undefined : interpolate(template, vars);
}

/** Looks a static key up; falls back to the key itself so a gap is visible rather than blank. */
export function translate(lang: Language, key: MessageKey, vars?: MessageVars): string {
  return lookup(lang, key, vars) ?? key;
}
