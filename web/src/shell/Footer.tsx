import { Group, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { PRODUCT_NAME } from "./Brand";
import { useMeta } from "./meta";

export function Footer() {
  const { t } = useI18n();
  const { version, timeZone } = useMeta();
  return (
    <Group h="100%" px="sm" justify="space-between" wrap="nowrap">
      <Text size="xs" c="dimmed" data-testid="app-version">
        {PRODUCT_NAME}
        {version && ` · ${t("app.version", { version })}`}
      </Text>
      <Text size="xs" c="dimmed">
        {t("app.timeZone", { zone: timeZone })}
      </Text>
    </Group>
  );
}
