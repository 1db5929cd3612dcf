import { Box, Group, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { IconShield } from "./icons";

/** The product name is a brand and is never translated. */
export const PRODUCT_NAME = "Qorgau";

export function Brand({ size = "md", showSubtitle = true }: { size?: "md" | "lg"; showSubtitle?: boolean }) {
  const { t } = useI18n();
  const large = size === "lg";
  return (
    <Group gap={large ? 10 : 8} wrap="nowrap">
      <Box c="blue.5" display="flex">
        <IconShield size={large ? 34 : 24} strokeWidth={2} />
      </Box>
      <Box>
        <Text component="div" fw={700} size={large ? "xl" : "md"} lh={1.1} lts={0.5}>
          {PRODUCT_NAME}
        </Text>
        {showSubtitle && (
          <Text component="div" size="xs" c="dimmed" lh={1.2}>
            {t("app.subtitle")}
          </Text>
        )}
      </Box>
    </Group>
  );
}
