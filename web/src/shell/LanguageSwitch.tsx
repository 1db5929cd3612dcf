import { Button } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { LANGUAGES } from "../i18n/languages";

/** Three directly clickable buttons; `compact` shows ҚАЗ / РУС / ENG for the header. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { lang, setLanguage, t } = useI18n();
  return (
    <Button.Group aria-label={t("language.label")}>
      {LANGUAGES.map((code) => {
        const active = code === lang;
        const fullName = t(`language.${code}` as const);
        return (
          <Button
            key={code}
            data-testid={`lang-${code}`}
            lang={code}
            size={compact ? "compact-xs" : "compact-sm"}
            variant={active ? "filled" : "default"}
            aria-pressed={active}
            aria-label={compact ? fullName : undefined}
            title={compact ? fullName : undefined}
            onClick={() => setLanguage(code)}
            fw={active ? 600 : 400}
          >
            {compact ? t(`language.short.${code}` as const) : fullName}
          </Button>
        );
      })}
    </Button.Group>
  );
}
