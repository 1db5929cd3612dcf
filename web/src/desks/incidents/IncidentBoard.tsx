import { Badge, Group, Paper, ScrollArea, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import type { IncidentItem, IncidentState } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { priorityColor } from "../alarms/queue";
import { BOARD_COLUMNS, groupByState } from "./board";
import { CoverageBadges } from "./Coverage";

export const STATE_COLORS: Record<IncidentState, string> = {
  new: "red",
  dispatched: "orange",
  en_route: "yellow",
  on_scene: "blue",
  on_hold: "gray",
  resolved: "green",
  closed: "dark",
};

export function stateLabelKey(state: IncidentState): MessageKey {
  return `incidents.state.${state}` as MessageKey;
}

function IncidentCard({ incident, categoryName, selected, onOpen }: {
  incident: IncidentItem;
  categoryName: string;
  selected: boolean;
  onOpen: () => void;
}) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  return (
    <Paper
      withBorder
      p={6}
      onClick={onOpen}
      data-testid="incident-card"
      data-id={incident.id}
      data-number={incident.number}
      data-state={incident.state}
      data-uncovered={incident.uncovered_at ? "true" : "false"}
      data-stalled={incident.units_stalled ?? 0}
      style={{
        cursor: "pointer",
        borderLeft: `5px solid var(--mantine-color-${priorityColor(incident.priority)}-6)`,
        outline: selected ? "2px solid var(--mantine-color-blue-5)" : undefined,
      }}
    >
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" fw={700} className="mono">{incident.number}</Text>
        <Badge size="xs" color={priorityColor(incident.priority)}>P{incident.priority}</Badge>
      </Group>
      <Text size="sm" fw={500} truncate>{categoryName}</Text>
      <Text size="xs" c="dimmed" truncate>{incident.address ?? incident.area ?? "—"}</Text>
      <Group gap={4}>
        <Text size="xs" c="dimmed" className="tabular">{formatInstant(incident.received_at, { timeZone, withSeconds: false })}</Text>
        {incident.source === "alarm" && <Badge size="xs" variant="light" color="grape">{t("incidents.source.alarm")}</Badge>}
        {incident.source === "call" && <Badge size="xs" variant="light" color="cyan">{t("incidents.source.call")}</Badge>}
        <CoverageBadges incident={incident} />
      </Group>
    </Paper>
  );
}

/** Columns New → Resolved; each card opens the incident. */
export function IncidentBoard({ items, categoryNames, selectedId, onOpen }: {
  items: readonly IncidentItem[];
  categoryNames: Record<string, string>;
  selectedId: number | null;
  onOpen: (id: number) => void;
}) {
  const { t } = useI18n();
  const groups = useMemo(() => groupByState(items), [items]);
  return (
    <SimpleGrid cols={{ base: 2, md: 3, xl: 6 }} spacing="xs" data-testid="incident-board">
      {BOARD_COLUMNS.map((state) => (
        <Paper key={state} withBorder p={6} bg="var(--mantine-color-body)" data-testid="incident-column" data-state={state} data-count={groups[state].length}>
          <Group justify="space-between" mb={6}>
            <Title order={2} size="h6">{t(stateLabelKey(state))}</Title>
            <Badge size="sm" color={STATE_COLORS[state]} variant="light">{groups[state].length}</Badge>
          </Group>
          <ScrollArea.Autosize mah="calc(100dvh - 220px)" type="auto">
            <Stack gap={6}>
              {groups[state].map((incident) => (
                <IncidentCard
                  key={incident.id}
                  incident={incident}
                  categoryName={categoryNames[incident.category] ?? incident.category}
                  selected={incident.id === selectedId}
                  onOpen={() => onOpen(incident.id)}
                />
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
