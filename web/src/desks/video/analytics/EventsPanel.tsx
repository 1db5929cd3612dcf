import { Group, Image, Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { useEffect, useState } from "react";
import { fetchEvents, type AnalyticsEvent } from "../../../api/analytics";
import { useI18n } from "../../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../../live/hooks";
import type { MessageKey } from "../../../i18n/messages";
import { useMeta } from "../../../shell/meta";
import { formatInstant } from "../../../shell/time";

const LATEST = 8;

/** The camera's latest analytics events with their snapshots; one opens the recording at its moment. */
export function EventsPanel({ code, version, onOpen }: { code: string; version: number; onOpen?: (code: string, at: string) => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [events, setEvents] = useState<AnalyticsEvent[] | null>(null);
  const [fresh, setFresh] = useState(0);
  // A rule of this camera fired (the event stream carries `video.analytics_event`): the list loads again.
  useLiveEventHandler((event) => {
    if (event.name === "video.analytics_event" && event.payload.code === code) setFresh((n) => n + 1);
  });
  useEffect(() => {
    const controller = new AbortController();
    fetchEvents(code, LATEST, { signal: controller.signal })
      .then((page) => setEvents(page.items))
      // Whoever may not watch the camera (a video administrator) sees its rules, not what they caught.
      .catch(() => setEvents(null));
    return () => controller.abort();
  }, [code, version, fresh]);
  if (events === null) return null;
  return (
    <Paper withBorder p="xs" data-testid="analytics-events">
      <Text fw={600} size="sm" mb={4}>{t("analytics.events.title")}</Text>
      {events.length === 0 && <Text size="xs" c="dimmed">{t("analytics.events.none")}</Text>}
      <Stack gap={4}>
        {events.map((e) => (
          <UnstyledButton key={e.id} disabled={!onOpen} onClick={() => onOpen?.(e.camera, e.at)} data-testid="analytics-event" data-id={e.id}>
            <Group gap="xs" wrap="nowrap">
              {e.snapshot_url ? <Image src={e.snapshot_url} alt="" w={64} h={40} fit="cover" radius="xs" /> : null}
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="xs" truncate>{e.rule}</Text>
                <Text size="xs" c="dimmed" className="tabular">
                  {formatInstant(e.at, { timeZone, withDate: true })} · {t(`analytics.kind.${e.kind}` as MessageKey)}
                  {e.label ? ` · ${tMaybe(`analytics.class.${e.label}`) ?? e.label}` : ""}
                  {e.count !== null ? ` · ${t("analytics.alarm.count", { count: e.count })}` : ""}
                </Text>
              </Stack>
            </Group>
          </UnstyledButton>
        ))}
      </Stack>
    </Paper>
  );
}
