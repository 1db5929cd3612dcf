import { Box, Checkbox, Group, Stack, Text } from "@mantine/core";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { OPS_KINDS, type OpsKind, type OpsLegend as Legend, type OpsToggles } from "./ops";

function Swatch({ kind, color, blink }: { kind: OpsKind; color: string; blink?: boolean }) {
  return (
    <Box component="span" className={`ops-swatch ops-swatch-${kind}`} data-blink={blink || undefined} style={{ background: color, ["--ops-color" as string]: color }} aria-hidden="true" />
  );
}

function Row({ kind, color, label, count, testId, blink }: {
  kind: OpsKind;
  color: string;
  label: string;
  count: number;
  testId: string;
  blink?: boolean;
}) {
  return (
    <Group gap={6} wrap="nowrap" justify="space-between" className="ops-legend-row">
      <Group gap={6} wrap="nowrap">
        <Swatch kind={kind} color={color} blink={blink} />
        <Text span size="sm">
          {label}
        </Text>
      </Group>
      <Text span size="xs" className="mono tabular map-count" data-testid={testId}>
        {count}
      </Text>
    </Group>
  );
}

/**
 * The operating picture's layers and legend: alarms by priority (blinking while unacknowledged), incidents by
 * state, units by status, each with how many are on the map now. Toggles only where `onToggles` is given.
 */
export function OpsLegend({ legend, available, toggles, onToggles }: {
  legend: Legend;
  /** The layers the user may read. */
  available: Record<OpsKind, boolean>;
  toggles?: OpsToggles;
  onToggles?: (next: OpsToggles) => void;
}) {
  const { t } = useI18n();
  const on = (kind: OpsKind) => toggles?.[kind] !== false;
  const rows: Record<OpsKind, React.ReactNode> = {
    alarm: legend.alarm.map((r) => (
      <Row key={r.band} kind="alarm" color={r.color} blink={r.unacknowledged > 0} count={r.count} testId={`ops-count-alarm-${r.band}`}
        label={t(`map.ops.band.${r.band}` as MessageKey)} />
    )),
    incident: legend.incident.map((r) => (
      <Row key={r.state} kind="incident" color={r.color} count={r.count} testId={`ops-count-incident-${r.state}`}
        label={t(`incidents.state.${r.state}` as MessageKey)} />
    )),
    unit: legend.unit.map((r) => (
      <Row key={r.status} kind="unit" color={r.color} count={r.count} testId={`ops-count-unit-${r.status}`}
        label={t(`units.status.${r.status}` as MessageKey)} />
    )),
  };
  return (
    <Stack gap={4} className="ops-legend" data-testid="ops-legend">
      {OPS_KINDS.filter((kind) => available[kind]).map((kind) => (
        <Stack key={kind} gap={3} role="group" aria-label={t(`map.ops.layer.${kind}` as MessageKey)}>
          {onToggles ? (
            <Checkbox size="xs" mt={4} checked={on(kind)} data-testid={`ops-toggle-${kind}`}
              onChange={(e) => onToggles({ ...toggles, [kind]: e.currentTarget.checked })}
              label={<Text span size="xs" fw={600} tt="uppercase" c="dimmed">{t(`map.ops.layer.${kind}` as MessageKey)}</Text>} />
          ) : (
            <Text size="xs" fw={600} tt="uppercase" c="dimmed" mt={4}>
              {t(`map.ops.layer.${kind}` as MessageKey)}
            </Text>
          )}
          <Stack gap={2} pl={onToggles ? 22 : 0} opacity={on(kind) ? 1 : 0.5}>
            {rows[kind]}
          </Stack>
        </Stack>
      ))}
      {available.alarm && (
        <Text size="xs" c="dimmed" data-testid="ops-blink-note">
          {t("map.ops.blinkNote")}
        </Text>
      )}
    </Stack>
  );
}
