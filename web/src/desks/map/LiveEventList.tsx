import { Badge, Box, Group, Paper, ScrollArea, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useEventStream } from "../../live/hooks";
import type { LiveEvent } from "../../live/types";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { eventNameKey, foldPositions } from "./liveEvents";

function subjectOf(event: LiveEvent): string {
  if (!event.subject_type) return event.subject_id === null ? "—" : String(event.subject_id);
  return event.subject_id === null ? event.subject_type : `${event.subject_type} ${event.subject_id}`;
}

/**
 * The latest events of the live stream, newest first, named in the UI language: makes the connection visible.
 * Position reports are only counted (the map shows them as units moving).
 */
export function LiveEventList({ compact = false }: { compact?: boolean }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { events: all } = useEventStream();
  const { shown: events, positions } = useMemo(() => foldPositions(all), [all]);
  const nameOf = (event: LiveEvent) => tMaybe(eventNameKey(event.name)) ?? event.name;
  const folded =
    positions > 0 ? (
      <Text size="xs" c="dimmed" px={4} py={2} data-testid="live-events-positions" data-count={positions}>
        {t("events.positionsFolded", { count: positions })}
      </Text>
    ) : null;

  if (compact) {
    return (
      <Stack gap={0} className="live-events live-events-compact" data-testid="live-events" aria-label={t("events.title")}>
        <Group justify="space-between" px={4} pb={4}>
          <Text size="xs" fw={600} tt="uppercase" c="dimmed">
            {t("events.title")}
          </Text>
          <Badge size="xs" variant="light" color="gray" tt="none">
            {t("events.count", { count: all.length })}
          </Badge>
        </Group>
        {folded}
        {events.length === 0 ? (
          <Text size="xs" c="dimmed" px={4}>
            {t("events.empty")}
          </Text>
        ) : (
          events.map((event) => (
            <Box key={String(event.id)} className="live-event-row" data-testid="live-event" px={4} py={3}>
              <Group gap={6} wrap="nowrap">
                <Text span size="xs" className="mono tabular" c="dimmed" title={event.occurred_at}>
                  {formatInstant(event.occurred_at, { timeZone })}
                </Text>
                <Text span size="xs" truncate title={event.name} data-testid="live-event-name" data-name={event.name}>
                  {nameOf(event)}
                </Text>
              </Group>
              <Text size="xs" className="mono" c="dimmed" truncate>
                {subjectOf(event)}
              </Text>
            </Box>
          ))
        )}
      </Stack>
    );
  }

  return (
    <Paper withBorder radius="sm" className="live-events" data-testid="live-events">
      <Group justify="space-between" px="sm" py={6} className="panel-header">
        <Title order={2} size="h5">
          {t("events.title")}
        </Title>
        <Badge size="sm" variant="light" color="gray" tt="none">
          {t("events.count", { count: all.length })}
        </Badge>
      </Group>
      {folded}
      {events.length === 0 ? (
        <Text size="sm" c="dimmed" px="sm" py="sm">
          {t("events.empty")}
        </Text>
      ) : (
        <ScrollArea.Autosize mah="calc(100dvh - 260px)" type="auto" scrollbarSize={8}>
          <Table
            stickyHeader
            striped
            highlightOnHover
            verticalSpacing={3}
            horizontalSpacing="sm"
            fz="sm"
            aria-label={t("events.title")}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>{t("events.time")}</Table.Th>
                <Table.Th>{t("events.name")}</Table.Th>
                <Table.Th>{t("events.subject")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((event) => (
                <Table.Tr key={String(event.id)} data-testid="live-event">
                  <Table.Td className="mono tabular" title={event.occurred_at}>
                    {formatInstant(event.occurred_at, { timeZone, withDate: true })}
                  </Table.Td>
                  <Table.Td title={event.name} data-testid="live-event-name" data-name={event.name}>{nameOf(event)}</Table.Td>
                  <Table.Td className="mono">{subjectOf(event)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
