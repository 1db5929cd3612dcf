import { Badge, Button, Group, Paper, ScrollArea, SimpleGrid, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useMemo } from "react";
import type { IncidentItem, IncidentState } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant, useNow } from "../../shell/time";
import { formatAge } from "../alarms/filters";
import { priorityColor } from "../alarms/queue";
import { BOARD_COLUMNS, groupByState } from "./board";
import { CoverageBadges } from "./Coverage";
import { nameIn } from "../alarms/place";

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

/** A likely duplicate's warning on its card, with the one click that merges it into the earlier incident. */
function DuplicateWarning({ original, canMerge, merging, onMerge }: {
  original: IncidentItem;
  canMerge: boolean;
  merging: boolean;
  onMerge: () => void;
}) {
  const { t } = useI18n();
  return (
    <Group gap={4} mt={4} wrap="nowrap" data-testid="incident-duplicate" data-of={original.id}>
      <Tooltip label={t("incidents.duplicate.hint")} multiline w={260}>
        <Badge size="xs" color="orange" variant="filled">{t("incidents.duplicate.of", { number: original.number })}</Badge>
      </Tooltip>
      {canMerge && (
        <Button size="compact-xs" variant="light" color="orange" loading={merging} data-testid="incident-merge"
          onClick={(e) => {
            e.stopPropagation();
            onMerge();
          }}>
          {t("incidents.duplicate.merge")}
        </Button>
      )}
    </Group>
  );
}

function IncidentCard({ incident, categoryName, selected, now, duplicateOf, canMerge, merging, onOpen, onMerge }: {
  incident: IncidentItem;
  categoryName: string;
  selected: boolean;
  now: number;
  duplicateOf: IncidentItem | undefined;
  canMerge: boolean;
  merging: boolean;
  onOpen: () => void;
  onMerge: (original: IncidentItem) => void;
}) {
  const { t, lang } = useI18n();
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
      <Text size="xs" c="dimmed" truncate>{incident.address ?? nameIn(incident.area_names, lang) ?? incident.area ?? "—"}</Text>
      <Group gap={4}>
        <Text size="xs" c="dimmed" className="tabular">{formatInstant(incident.received_at, { timeZone, withSeconds: false })}</Text>
        {incident.source === "alarm" && <Badge size="xs" variant="light" color="grape">{t("incidents.source.alarm")}</Badge>}
        {incident.source === "call" && <Badge size="xs" variant="light" color="cyan">{t("incidents.source.call")}</Badge>}
        <CoverageBadges incident={incident} />
        <Text size="xs" fw={600} ml="auto" className="tabular" title={t("incidents.timeInState")} data-testid="incident-time-in-state">
          {formatAge(incident.state_changed_at, now)}
        </Text>
      </Group>
      {duplicateOf && (
        <DuplicateWarning original={duplicateOf} canMerge={canMerge} merging={merging} onMerge={() => onMerge(duplicateOf)} />
      )}
    </Paper>
  );
}

/** Columns New → Resolved; each card opens the incident. */
export function IncidentBoard({ items, categoryNames, selectedId, duplicates, canMerge, mergingId, onOpen, onMerge }: {
  items: readonly IncidentItem[];
  categoryNames: Record<string, string>;
  selectedId: number | null;
  /** Likely duplicate id → the earlier incident it repeats. */
  duplicates: ReadonlyMap<number, IncidentItem>;
  canMerge: boolean;
  mergingId: number | null;
  onOpen: (id: number) => void;
  onMerge: (duplicateId: number, intoId: number) => void;
}) {
  const { t } = useI18n();
  const now = useNow(1000).getTime(); // one clock for every card
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
                  now={now}
                  duplicateOf={duplicates.get(incident.id)}
                  canMerge={canMerge}
                  merging={mergingId === incident.id}
                  onOpen={() => onOpen(incident.id)}
                  onMerge={(original) => onMerge(incident.id, original.id)}
                />
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
