import { Badge, Group, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import type { DistrictFlag, DistrictReport, ReportFigures } from "../../api/districtReports";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { districtName } from "./DistrictBars";
import { formatScore, formatShare } from "./period";

const FLAG_COLORS: Record<DistrictFlag, string> = {
  over_norm: "orange",
  low_coverage: "yellow",
  overdue_appeals: "red",
  low_satisfaction: "grape",
};

function Flags({ flags, report }: { flags: readonly DistrictFlag[]; report: DistrictReport }) {
  const { t } = useI18n();
  const th = report.thresholds;
  return (
    <Group gap={2}>
      {flags.map((f) => {
        const share = formatShare(f === "low_coverage" ? th.low_coverage_share : th.low_satisfaction_share, 0);
        const hint = t(`service.flagHint.${f}` as MessageKey, {
          norm: th.residents_norm, share, minutes: th.low_coverage_minutes, answers: th.low_satisfaction_min_answers,
        });
        return (
          <Tooltip key={f} label={hint}>
            <Badge size="xs" variant="light" color={FLAG_COLORS[f]} data-testid="service-flag" data-flag={f}>
              {t(`service.flag.${f}` as MessageKey)}
            </Badge>
          </Tooltip>
        );
      })}
    </Group>
  );
}

function FigureHeads() {
  const { t } = useI18n();
  return (
    <>
      <Table.Th>{t("service.col.received")}</Table.Th>
      <Table.Th>{t("service.col.answered")}</Table.Th>
      <Table.Th>{t("service.col.onTime")}</Table.Th>
      <Table.Th>{t("service.col.overdue")}</Table.Th>
      <Table.Th>{t("service.col.open")}</Table.Th>
      <Table.Th>{t("service.col.asked")}</Table.Th>
      <Table.Th>{t("service.col.given")}</Table.Th>
      <Table.Th>{t("service.col.mean")}</Table.Th>
      <Table.Th>{t("service.col.satisfied")}</Table.Th>
      <Table.Th>{t("service.col.response")}</Table.Th>
    </>
  );
}

function FigureCells({ f }: { f: ReportFigures }) {
  return (
    <>
      <Table.Td className="tabular">{f.appeals_received}</Table.Td>
      <Table.Td className="tabular">{f.appeals_answered}</Table.Td>
      <Table.Td className="tabular">{f.appeals_on_time} <Text span size="xs" c="dimmed">{formatShare(f.on_time_share, 0)}</Text></Table.Td>
      <Table.Td className="tabular" c={f.appeals_overdue > 0 ? "red" : undefined}>{f.appeals_overdue}</Table.Td>
      <Table.Td className="tabular">{f.appeals_open}</Table.Td>
      <Table.Td className="tabular">{f.feedback_requests}</Table.Td>
      <Table.Td className="tabular">{f.feedback_answers}</Table.Td>
      <Table.Td className="tabular">{formatScore(f.mean_score)}</Table.Td>
      <Table.Td className="tabular">{formatShare(f.satisfied_share)}</Table.Td>
      <Table.Td className="tabular">{formatShare(f.response_rate)}</Table.Td>
    </>
  );
}

/** Every district with residents, coverage, incidents, appeals, feedback and flags; the town's total below. */
export function DistrictTable({ report }: { report: DistrictReport }) {
  const { t, lang, locale } = useI18n();
  const count = (n: number) => Math.round(n).toLocaleString(locale);
  return (
    <Stack gap={4}>
      <Title order={2} size="h5">{t("service.districts.title")}</Title>
      <Table.ScrollContainer minWidth={1500}>
        <Table striped withTableBorder highlightOnHover data-testid="service-districts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("service.districts.name")}</Table.Th>
              <Table.Th>{t("service.districts.inspectors")}</Table.Th>
              <Table.Th>{t("service.col.residents")}</Table.Th>
              <Table.Th>{t("service.col.perInspector")}</Table.Th>
              {report.walk_minutes.map((m) => <Table.Th key={m}>{t("service.col.walk", { minutes: m })}</Table.Th>)}
              <Table.Th>{t("service.col.incidents")}</Table.Th>
              <FigureHeads />
              <Table.Th>{t("service.col.flags")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.districts.map((row) => (
              <Table.Tr key={row.district_id} data-testid="service-district-row" data-number={row.number}>
                <Table.Td miw={130}>{districtName(row, lang)}</Table.Td>
                <Table.Td miw={150}><Text size="xs">{row.inspectors.join(", ") || "—"}</Text></Table.Td>
                <Table.Td className="tabular">{count(row.residents)}</Table.Td>
                <Table.Td className="tabular">{row.residents_per_inspector === null ? "—" : count(row.residents_per_inspector)}</Table.Td>
                {row.walk_shares.map((s, k) => <Table.Td key={report.walk_minutes[k]} className="tabular">{formatShare(s)}</Table.Td>)}
                <Table.Td className="tabular">{row.incidents ?? 0}</Table.Td>
                <FigureCells f={row} />
                <Table.Td miw={170}><Flags flags={row.flags} report={report} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr data-testid="service-total-row">
              <Table.Th>{t("service.total")}</Table.Th>
              <Table.Th />
              <Table.Th className="tabular">{count(report.total_residents)}</Table.Th>
              <Table.Th />
              {report.total_walk_shares.map((s, k) => <Table.Th key={report.walk_minutes[k]} className="tabular">{formatShare(s)}</Table.Th>)}
              <Table.Th className="tabular">{report.total.incidents ?? 0}</Table.Th>
              <FigureCells f={report.total} />
              <Table.Th />
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** Every inspector: residents served, appeals routed to them, residents' feedback on their work, flags. */
export function InspectorTable({ report }: { report: DistrictReport }) {
  const { t, locale } = useI18n();
  return (
    <Stack gap={4}>
      <Title order={2} size="h5">{t("service.inspectors.title")}</Title>
      <Table.ScrollContainer minWidth={1000}>
        <Table striped withTableBorder highlightOnHover data-testid="service-inspectors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("service.inspectors.name")}</Table.Th>
              <Table.Th>{t("service.inspectors.districts")}</Table.Th>
              <Table.Th>{t("service.col.residents")}</Table.Th>
              <FigureHeads />
              <Table.Th>{t("service.col.flags")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.inspectors.map((row) => (
              <Table.Tr key={row.user_id ?? "none"} data-testid="service-inspector-row">
                <Table.Td>{row.name || t("service.inspectors.unassigned")}</Table.Td>
                <Table.Td className="tabular">{row.district_numbers.join(", ") || "—"}</Table.Td>
                <Table.Td className="tabular">{Math.round(row.residents).toLocaleString(locale)}</Table.Td>
                <FigureCells f={row} />
                <Table.Td miw={170}><Flags flags={row.flags} report={report} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
