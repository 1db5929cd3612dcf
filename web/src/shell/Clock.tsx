import { Stack, Text, Tooltip } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "./meta";
import { formatDate, formatInstant, useNow } from "./time";

/** Wall-clock time in the deployment's time zone (not the workstation's). */
export function Clock() {
  const { t, locale } = useI18n();
  const { timeZone } = useMeta();
  const now = useNow(1000);
  const label = t("clock.label", { zone: timeZone });
  return (
    <Tooltip label={label}>
      <Stack gap={0} align="flex-end" className="clock" aria-label={label} role="timer">
        <Text component="span" ff="monospace" fw={600} size="md" lh={1.1} className="tabular">
          {formatInstant(now, { timeZone, locale })}
        </Text>
        <Text component="span" size="xs" c="dimmed" lh={1.1} className="tabular">
          {formatDate(now, { timeZone, locale })}
        </Text>
      </Stack>
    </Tooltip>
  );
}
