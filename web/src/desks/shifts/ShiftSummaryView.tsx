import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { AlarmBrief, IncidentBrief, ShiftSummary } from "../../api/shifts";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { priorityColor } from "../alarms/queue";

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Paper withBorder p="xs" data-testid={testId} data-value={value}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={700} size="xl" className="tabular">{value}</Text>
    </Paper>
  );
}

function IncidentRows({ items, categoryName, testId }: { items: readonly IncidentBrief[]; categoryName: (code: string) => string; testId: string }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  if (items.length === 0) return <Text size="sm" c="dimmed">{t("shifts.none")}</Text>;
  return (
    <Table verticalSpacing={2} data-testid={testId}>
      <Table.Tbody>
        {items.map((i) => (
          <Table.Tr key={i.id} data-testid="shift-incident" data-number={i.number}>
            <Table.Td><Badge size="xs" color={priorityColor(i.priority)}>P{i.priority}</Badge></Table.Td>
            <Table.Td className="mono">{i.number}</Table.Td>
            <Table.Td>{categoryName(i.category)}</Table.Td>
            <Table.Td>{t(`incidents.state.${i.state}` as MessageKey)}</Table.Td>
            <Table.Td c="dimmed">{i.address ?? ""}</Table.Td>
            <Table.Td className="tabular" c="dimmed">{formatInstant(i.received_at, { timeZone, withSeconds: false })}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function AlarmRows({ items, testId }: { items: readonly AlarmBrief[]; testId: string }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  if (items.length === 0) return <Text size="sm" c="dimmed">{t("shifts.none")}</Text>;
  return (
    <Table verticalSpacing={2} data-testid={testId}>
      <Table.Tbody>
        {items.map((a) => (
          <Table.Tr key={a.id} data-testid="shift-alarm">
            <Table.Td><Badge size="xs" color={priorityColor(a.priority)}>P{a.priority}</Badge></Table.Td>
            <Table.Td>{tMaybe(`alarms.kind.${a.kind}`) ?? a.kind}</Table.Td>
            <Table.Td>{t(`alarms.state.${a.state}` as MessageKey)}</Table.Td>
            <Table.Td className="mono" c="dimmed">{a.site_code ?? a.device_code ?? ""}</Table.Td>
            <Table.Td className="tabular" c="dimmed">{formatInstant(a.first_at, { timeZone, withSeconds: false })}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** What is open and what the shift did: the figures and the lists a handover signs. */
export function ShiftSummaryView({ summary, categoryName }: { summary: ShiftSummary; categoryName: (code: string) => string }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  return (
    <Stack gap="sm" data-testid="shift-summary">
      <Text size="sm" c="dimmed">
        {t("shifts.period", { from: formatInstant(summary.shift_start, { timeZone, withSeconds: false }), to: formatInstant(summary.shift_end, { timeZone, withSeconds: false }) })}
      </Text>
      <SimpleGrid cols={{ base: 2, md: 6 }} spacing="xs">
        <Figure label={t("shifts.openIncidents")} value={summary.open_incidents.length} testId="shift-open-incidents" />
        <Figure label={t("shifts.openAlarms")} value={summary.open_alarms.length} testId="shift-open-alarms" />
        <Figure label={t("shifts.incidentsOpened")} value={summary.incidents_opened} testId="shift-incidents-opened" />
        <Figure label={t("shifts.incidentsClosed")} value={summary.incidents_closed} testId="shift-incidents-closed" />
        <Figure label={t("shifts.alarmsRaised")} value={summary.alarms_raised} testId="shift-alarms-raised" />
        <Figure label={t("shifts.alarmsResolved")} value={summary.alarms_resolved} testId="shift-alarms-resolved" />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <Stack gap={4}>
          <Title order={3} size="h5">{t("shifts.openIncidents")}</Title>
          <IncidentRows items={summary.open_incidents} categoryName={categoryName} testId="shift-open-incident-list" />
          <Title order={3} size="h5" mt="xs">{t("shifts.changedIncidents")}</Title>
          <IncidentRows items={summary.changed_incidents} categoryName={categoryName} testId="shift-changed-incident-list" />
        </Stack>
        <Stack gap={4}>
          <Title order={3} size="h5">{t("shifts.openAlarms")}</Title>
          <AlarmRows items={summary.open_alarms} testId="shift-open-alarm-list" />
          <Group gap={4} mt="xs"><Title order={3} size="h5">{t("shifts.changedAlarms")}</Title></Group>
          <AlarmRows items={summary.changed_alarms} testId="shift-changed-alarm-list" />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
