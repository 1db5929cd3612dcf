import { Alert, Badge, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { RESPONSE_STAGES, fetchIncidentCategories, fetchResponseMetrics, type ResponseGroup, type ResponseMetrics, type ResponseStage } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { DeskPage } from "../../shell/DeskPage";
import { formatInstant } from "../../shell/time";
import { formatDuration } from "../units/duration";
import { PERIOD_PRESETS, VERDICT_COLORS, busiestFirst, formatShare, periodRange, stagesToShow, verdict, type PeriodPreset } from "./dashboard";

function stageKey(stage: ResponseStage): MessageKey {
  return `dashboard.stage.${stage}` as MessageKey;
}

function StageCard({ stage, group }: { stage: ResponseStage; group: ResponseGroup }) {
  const { t } = useI18n();
  const figures = group[stage];
  const v = verdict(figures);
  return (
    <Paper withBorder p="sm" data-testid="dashboard-stage" data-stage={stage} data-verdict={v} data-count={figures.count}>
      <Group justify="space-between" mb={4}>
        <Text fw={600} size="sm">{t(stageKey(stage))}</Text>
        <Badge color={VERDICT_COLORS[v]} variant="light">{t(`dashboard.verdict.${v}` as MessageKey)}</Badge>
      </Group>
      <Group gap="lg" align="baseline">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">P50</Text>
          <Text size="xl" fw={700} className="tabular" data-testid="stage-p50">{formatDuration(figures.p50_s)}</Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">P90</Text>
          <Text size="xl" fw={700} className="tabular" data-testid="stage-p90">{formatDuration(figures.p90_s)}</Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">{t("dashboard.target")}</Text>
          <Text size="md" className="tabular" data-testid="stage-target">
            {figures.target_s === null || figures.target_s === undefined
              ? figures.within_target !== null && figures.within_target !== undefined
                ? t("dashboard.targetPerArea")
                : "—"
              : formatDuration(figures.target_s)}
          </Text>
        </Stack>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {t("dashboard.reached", { count: figures.count })}
        {figures.within_target !== null && figures.within_target !== undefined && ` · ${t("dashboard.withinTarget", { share: formatShare(figures.within_target) })}`}
      </Text>
    </Paper>
  );
}

function GroupTable({ title, groups, stages, label, testId }: {
  title: string;
  groups: readonly ResponseGroup[];
  stages: readonly ResponseStage[];
  label: (key: string) => string;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <Stack gap={4}>
      <Title order={2} size="h5">{title}</Title>
      {groups.length === 0 ? (
        <Text size="sm" c="dimmed">{t("dashboard.noData")}</Text>
      ) : (
        <Table striped withTableBorder data-testid={testId}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th>{t("dashboard.incidents")}</Table.Th>
              {stages.map((s) => <Table.Th key={s}>{t(stageKey(s))} P50 / P90</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.map((g) => (
              <Table.Tr key={g.key} data-testid="dashboard-group-row" data-key={g.key}>
                <Table.Td>{label(g.key)}</Table.Td>
                <Table.Td className="tabular">{g.incidents}</Table.Td>
                {stages.map((s) => (
                  <Table.Td key={s} className="tabular">
                    <Text size="sm" c={VERDICT_COLORS[verdict(g[s])] === "gray" ? undefined : VERDICT_COLORS[verdict(g[s])]}>
                      {formatDuration(g[s].p50_s)} / {formatDuration(g[s].p90_s)}
                    </Text>
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function StatsDesk() {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const [preset, setPreset] = useState<PeriodPreset>("today");
  const [includeSimulated, setIncludeSimulated] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  // The figures with the query they answer: another period, filter or reload shows none until its answer is in.
  const query = `${preset}|${includeSimulated}|${timeZone}|${reloadKey}`;
  const [answer, setAnswer] = useState<{ query: string; metrics: ResponseMetrics } | null>(null);
  const metrics = answer?.query === query ? answer.metrics : null;
  const [error, setError] = useState<unknown>(null);
  const [categoryNames, setCategoryNames] = useState<Record<string, string>>({});

  useEffect(() => {
    const controller = new AbortController();
    fetchIncidentCategories({ signal: controller.signal })
      .then((list) => setCategoryNames(Object.fromEntries(list.map((c) => [c.code, c.name]))))
      .catch(() => undefined);
    return () => controller.abort();
  }, [lang]);

  useEffect(() => {
    const controller = new AbortController();
    const { from, to } = periodRange(preset, new Date(), timeZone);
    fetchResponseMetrics({ from: from.toISOString(), to: to.toISOString(), includeSimulated }, { signal: controller.signal })
      .then((m) => {
        setAnswer({ query, metrics: m });
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [preset, includeSimulated, timeZone, query]);

  const stages = useMemo(() => (metrics ? stagesToShow(metrics.overall, RESPONSE_STAGES) : []), [metrics]);

  const actions = (
    <Group gap="sm">
      <SegmentedControl
        size="xs"
        value={preset}
        onChange={(v) => setPreset(v as PeriodPreset)}
        data={PERIOD_PRESETS.map((p) => ({ value: p, label: <span data-testid={`dashboard-period-${p}`}>{t(`dashboard.period.${p}` as MessageKey)}</span> }))}
        data-testid="dashboard-period"
      />
      <Switch size="sm" checked={includeSimulated} onChange={(e) => setIncludeSimulated(e.currentTarget.checked)} label={t("dashboard.includeSimulated")} data-testid="dashboard-include-simulated" />
      <Badge variant="default" style={{ cursor: "pointer" }} onClick={() => setReloadKey((k) => k + 1)} data-testid="dashboard-refresh">{t("dashboard.refresh")}</Badge>
    </Group>
  );

  return (
    <DeskPage title={t("nav.stats")} actions={actions}>
      <Stack gap="sm" data-testid="stats-desk">
        {error !== null && <Alert color="red" data-testid="dashboard-error">{describeError(error, tMaybe).message}</Alert>}
        {!metrics && error === null && <Loader size="sm" />}
        {metrics && (
          <>
            <Text size="sm" c="dimmed" data-testid="dashboard-summary" data-incidents={metrics.overall.incidents}>
              {t("dashboard.summary", {
                count: metrics.overall.incidents,
                from: formatInstant(metrics.start, { timeZone, withDate: true, withSeconds: false }),
                to: formatInstant(metrics.end, { timeZone, withDate: true, withSeconds: false }),
              })}
              {!metrics.include_simulated && ` · ${t("dashboard.simulatedExcluded")}`}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" data-testid="dashboard-overall">
              {RESPONSE_STAGES.map((stage) => <StageCard key={stage} stage={stage} group={metrics.overall} />)}
            </SimpleGrid>
            <GroupTable title={t("dashboard.byCategory")} groups={busiestFirst(metrics.by_category)} stages={stages} label={(key) => categoryNames[key] ?? key} testId="dashboard-by-category" />
            <GroupTable title={t("dashboard.byArea")} groups={busiestFirst(metrics.by_area)} stages={stages} label={(key) => key} testId="dashboard-by-area" />
          </>
        )}
      </Stack>
    </DeskPage>
  );
}
