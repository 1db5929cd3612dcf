import { Stack, Text, Tooltip } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "./meta";
import { formatDate, formatInstant, useNow, wallClock } from "./time";

/** Wall-clock time in the deployment's time zone (not the workstation's). */
export function Clock() {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const now = useNow(1000);
  const label = t("clock.label", { zone: timeZone });
  const weekday = t(`clock.weekdays.${wallClock(now, timeZone).weekday}` as const);
  return (
    <Tooltip label={label}>
      <Stack gap={0} align="flex-end" className="clock" aria-label={label} role="timer">
        <Text component="span" ff="monospace" fw={600} size="md" lh={1.1} className="tabular">
          {formatInstant(now, { timeZone })}
        </Text>
        <Text component="span" size="xs" c="dimmed" lh={1.1} className="tabular">
          {weekday}, {formatDate(now, timeZone)}
        </Text>
      </Stack>
    </Tooltip>
  );
}
