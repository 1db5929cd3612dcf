import { Group, Paper, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from "@mantine/core";
import type { DistrictReport, DistrictReportRow } from "../../api/districtReports";
import { useI18n } from "../../i18n/I18nProvider";
import { barPercent, formatShare } from "./period";

interface BarSpec {
  key: string;
  title: string;
  value: (row: DistrictReportRow) => number | null;
  label: (row: DistrictReportRow) => string;
  largest: number;
  /** Red when true (over the norm, under a threshold). */
  bad: (row: DistrictReportRow) => boolean;
}

export function districtName(row: DistrictReportRow, lang: string): string {
  const name = lang === "kk" ? row.name_kk : lang === "en" ? row.name_en : row.name_ru;
  return `${row.number}. ${name || row.name_ru}`;
}

function BarChart({ spec, rows }: { spec: BarSpec; rows: readonly DistrictReportRow[] }) {
  const { lang } = useI18n();
  return (
    <Paper withBorder p="xs" data-testid={`service-bars-${spec.key}`}>
      <Text size="sm" fw={600} mb={4}>{spec.title}</Text>
      <Stack gap={4}>
        {rows.map((row) => (
          <Group key={row.district_id} gap="xs" wrap="nowrap" data-testid="service-bar" data-number={row.number}>
            <Text size="xs" w={130} truncate="end" title={districtName(row, lang)}>{districtName(row, lang)}</Text>
            <Tooltip label={spec.label(row)}>
              <Progress
                style={{ flex: 1 }}
                size="lg"
                value={barPercent(spec.value(row), spec.largest)}
                color={spec.bad(row) ? "red" : "teal"}
                aria-label={`${districtName(row, lang)}: ${spec.label(row)}`}
              />
            </Tooltip>
            <Text size="xs" w={64} ta="right" className="tabular">{spec.label(row)}</Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

/** Bars per district: residents per inspector against the norm, walking coverage, answers on time, satisfaction. */
export function DistrictBars({ report }: { report: DistrictReport }) {
  const { t } = useI18n();
  const th = report.thresholds;
  const middle = Math.max(0, report.walk_minutes.indexOf(th.low_coverage_minutes));
  const largestLoad = Math.max(th.residents_norm * 1.5, ...report.districts.map((d) => d.residents_per_inspector ?? 0));
  const specs: BarSpec[] = [
    {
      key: "per-inspector",
      title: t("service.charts.perInspector", { norm: th.residents_norm }),
      value: (row) => row.residents_per_inspector,
      label: (row) => (row.residents_per_inspector === null ? "—" : String(Math.round(row.residents_per_inspector))),
      largest: largestLoad,
      bad: (row) => row.flags.includes("over_norm"),
    },
    {
      key: "walk",
      title: t("service.charts.walk", { minutes: report.walk_minutes[middle] ?? th.low_coverage_minutes }),
      value: (row) => row.walk_shares[middle] ?? null,
      label: (row) => formatShare(row.walk_shares[middle]),
      largest: 1,
      bad: (row) => row.flags.includes("low_coverage"),
    },
    {
      key: "on-time",
      title: t("service.charts.onTime"),
      value: (row) => row.on_time_share,
      label: (row) => formatShare(row.on_time_share),
      largest: 1,
      bad: (row) => row.flags.includes("overdue_appeals"),
    },
    {
      key: "satisfied",
      title: t("service.charts.satisfied"),
      value: (row) => row.satisfied_share,
      label: (row) => formatShare(row.satisfied_share),
      largest: 1,
      bad: (row) => row.flags.includes("low_satisfaction"),
    },
  ];
  return (
    <Stack gap={4}>
      <Title order={2} size="h5">{t("service.charts.title")}</Title>
      <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }} spacing="xs">
        {specs.map((spec) => <BarChart key={spec.key} spec={spec} rows={report.districts} />)}
      </SimpleGrid>
    </Stack>
  );
}
