import { Badge, Box, Button, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { handleLinkClick } from "../../shell/router";
import { formatInstant } from "../../shell/time";
import { videoDeskLink } from "../../video/links";
import type { AnalyticsAlarm } from "./analytics";

/** An analytics alarm's picture (the server drew the object's box), its rule and class, and the recording at that moment. */
export function AnalyticsCard({ alarm, canPlayback }: { alarm: AnalyticsAlarm; canPlayback: boolean }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [broken, setBroken] = useState(false);
  const link = alarm.recordingAt ? videoDeskLink({ cameras: [alarm.camera], at: alarm.recordingAt }) : null;
  const what = [
    tMaybe(`analytics.kind.${alarm.kind}`) ?? alarm.kind,
    alarm.label ? tMaybe(`analytics.class.${alarm.label}`) ?? alarm.label : null,
    alarm.count !== null ? t("analytics.alarm.count", { count: alarm.count }) : null,
    alarm.direction ? tMaybe(`analytics.directions.${alarm.direction}`) ?? alarm.direction : null,
  ].filter(Boolean).join(" · ");
  return (
    <Stack gap={4} data-testid="alarm-analytics" data-camera={alarm.camera}>
      <Group gap="xs" justify="space-between" wrap="nowrap">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <Badge size="sm" variant="light">{t("analytics.alarm.rule")}</Badge>
          <Text size="sm" fw={600} truncate data-testid="alarm-analytics-rule">{alarm.rule}</Text>
        </Group>
        {link && canPlayback && (
          <Button component="a" href={link} size="compact-xs" variant="light" onClick={(e) => handleLinkClick(e, link)} data-testid="alarm-analytics-recording">
            {t("analytics.alarm.openRecording")}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed" data-testid="alarm-analytics-what">
        <span className="mono">{alarm.camera}</span> · {what}
        {alarm.recordingAt && ` · ${formatInstant(alarm.recordingAt, { timeZone, withDate: true })}`}
      </Text>
      {alarm.snapshotUrl && !broken ? (
        <Box bg="black" style={{ borderRadius: 4, overflow: "hidden" }}>
          <img src={alarm.snapshotUrl} alt={t("analytics.alarm.snapshot")} onError={() => setBroken(true)} data-testid="alarm-analytics-snapshot"
            style={{ width: "100%", display: "block", maxHeight: 320, objectFit: "contain" }} />
        </Box>
      ) : (
        <Text size="xs" c="dimmed">{t("analytics.alarm.noSnapshot")}</Text>
      )}
    </Stack>
  );
}
