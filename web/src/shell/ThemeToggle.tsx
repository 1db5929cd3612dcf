import { ActionIcon, Tooltip, useComputedColorScheme, useMantineColorScheme } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { IconMoon, IconSun } from "./icons";

export function ThemeToggle() {
  const { t } = useI18n();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme("dark", { getInitialValueInEffect: false });
  const next = scheme === "dark" ? "light" : "dark";
  const label = next === "dark" ? t("theme.toDark") : t("theme.toLight");
  return (
    <Tooltip label={label}>
      <ActionIcon
        data-testid="theme-toggle"
        data-scheme={scheme}
        variant="default"
        size="md"
        aria-label={label}
        onClick={() => setColorScheme(next)}
      >
        {scheme === "dark" ? <IconSun size={16} /> : <IconMoon size={16} />}
      </ActionIcon>
    </Tooltip>
  );
}
