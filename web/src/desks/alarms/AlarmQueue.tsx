import { Badge, Button, Group, Paper, ScrollArea, Stack, Text } from "@mantine/core";
import type { AlarmItem } from "../../api/alarms";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant, useNow } from "../../shell/time";
import { formatAge } from "./filters";
import { nameIn } from "./place";
import { priorityColor } from "./queue";

export interface AlarmQueueProps {
  queue: readonly AlarmItem[];
  selectedId: number | null;
  canAcknowledge: boolean;
  busyId: number | null;
  onSelect: (id: number) => void;
  onAcknowledge: (id: number) => void;
}

function AlarmRow({ alarm, now, selected, canAcknowledge, busy, onSelect, onAcknowledge }: {
  alarm: AlarmItem;
  now: number;
  selected: boolean;
  canAcknowledge: boolean;
  busy: boolean;
  onSelect: () => void;
  onAcknowledge: () => void;
}) {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const color = priorityColor(alarm.priority);
  return (
    <Paper
      withBorder
      p="xs"
      data-testid="alarm-row"
      data-id={alarm.id}
      data-priority={alarm.priority}
      data-state={alarm.state}
      data-selected={selected}
      onClick={onSelect}
      style={{
        cursor: "pointer",
        borderLeft: `6px solid var(--mantine-color-${color}-6)`,
        outline: selected ? "2px solid var(--mantine-color-blue-5)" : undefined,
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap">
            <Badge color={color} variant="filled" size="sm" data-testid="alarm-priority">
              P{alarm.priority}
            </Badge>
            <Text fw={600} size="sm" truncate data-testid="alarm-kind">
              {tMaybe(`alarms.kind.${alarm.kind}`) ?? alarm.kind}
            </Text>
            {alarm.escalation_level > 0 && (
              <Badge color="grape" size="xs" data-testid="alarm-escalated">
                {t("alarms.escalated", { level: alarm.escalation_level })}
              </Badge>
            )}
            {alarm.simulated && <Badge color="gray" size="xs">{t("alarms.simulated")}</Badge>}
            <Text size="xs" c={alarm.state === "new" ? color : "dimmed"} fw={600} className="tabular" title={t("alarms.age")} data-testid="alarm-age">
              {formatAge(alarm.first_at, now)}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" truncate>
            <span className="mono">{alarm.device_code ?? "—"}</span> · {nameIn(alarm.place?.name, lang) ?? alarm.site_code ?? "—"} ·{" "}
            <span className="tabular">{formatInstant(alarm.first_at, { timeZone })}</span>
            {alarm.count > 1 && ` · ×${alarm.count}`}
          </Text>
        </Stack>
        {alarm.state === "new" && canAcknowledge ? (
          <Button
            size="compact-sm"
            color={color}
            loading={busy}
            data-testid="alarm-ack"
            onClick={(e) => {
              e.stopPropagation();
              onAcknowledge();
            }}
          >
            {t("alarms.acknowledge")}
          </Button>
        ) : (
          <Badge variant="light" color={alarm.state === "new" ? color : "green"} data-testid="alarm-state">
            {t(`alarms.state.${alarm.state}` as MessageKey)}
          </Badge>
        )}
      </Group>
    </Paper>
  );
}

/** The open alarms, most urgent first; a click selects, the button acknowledges. */
export function AlarmQueue({ queue, selectedId, canAcknowledge, busyId, onSelect, onAcknowledge }: AlarmQueueProps) {
  const { t } = useI18n();
  const now = useNow(1000).getTime(); // one clock for every row: ages tick together
  if (queue.length === 0) {
    return (
      <Text c="dimmed" data-testid="alarm-empty" p="sm">
        {t("alarms.empty")}
      </Text>
    );
  }
  return (
    <ScrollArea.Autosize mah="calc(100dvh - 190px)" type="auto">
      <Stack gap={6} data-testid="alarm-queue">
        {queue.map((alarm) => (
          <AlarmRow
            key={alarm.id}
            alarm={alarm}
            now={now}
            selected={alarm.id === selectedId}
            canAcknowledge={canAcknowledge}
            busy={busyId === alarm.id}
            onSelect={() => onSelect(alarm.id)}
            onAcknowledge={() => onAcknowledge(alarm.id)}
          />
        ))}
      </Stack>
    </ScrollArea.Autosize>
  );
}
