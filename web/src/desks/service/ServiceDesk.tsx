import { Alert, Button, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Switch, Text } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { districtReportUrl, fetchDistrictReport, type DistrictReport, type ReportPeriod } from "../../api/districtReports";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { DistrictBars } from "./DistrictBars";
import { FeedbackPanel } from "./FeedbackPanel";
import { DistrictTable, InspectorTable } from "./ReportTables";
import { SERVICE_PERIODS, formatScore, formatShare, periodDays, type ServicePeriod } from "./period";

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder p="xs" data-testid={testId}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="lg" fw={700} className="tabular">{value}</Text>
    </Paper>
  );
}

function Summary({ report, locale }: { report: DistrictReport; locale: string }) {
  const { t } = useI18n();
  const total = report.total;
  const middle = report.walk_minutes.indexOf(report.thresholds.low_coverage_minutes);
  const at = middle >= 0 ? middle : Math.floor(report.walk_minutes.length / 2);
  return (
    <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} spacing="xs">
      <Figure testId="service-residents" label={t("service.summary.residents")} value={Math.round(report.total_residents).toLocaleString(locale)} />
      <Figure testId="service-walk" label={t("service.summary.walk", { minutes: report.walk_minutes[at] ?? "—" })} value={formatShare(report.total_walk_shares[at])} />
      <Figure testId="service-incidents" label={t("service.summary.incidents")} value={String(total.incidents ?? 0)} />
      <Figure testId="service-appeals" label={t("service.summary.appeals")} value={String(total.appeals_received)} />
      <Figure testId="service-on-time" label={t("service.summary.onTime")} value={formatShare(total.on_time_share)} />
      <Figure testId="service-overdue" label={t("service.summary.overdue")} value={String(total.appeals_overdue)} />
      <Figure testId="service-satisfied" label={t("service.summary.satisfaction")} value={formatShare(total.satisfied_share)} />
      <Figure testId="service-mean" label={t("service.summary.meanScore")} value={formatScore(total.mean_score)} />
    </SimpleGrid>
  );
}

/** The service model's measures per district and inspector for a period, with flags, bars and exports. */
export function ServiceDesk() {
  const { t, tMaybe, lang, locale } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canWrite = hasPermission(user, PERMISSIONS.appealsWrite);
  const [preset, setPreset] = useState<ServicePeriod>("month");
  const [includeSimulated, setIncludeSimulated] = useState(false);
  const [reload, setReload] = useState(0);
  // The period is fixed while the desk is open on a day: recomputing it each render would refetch forever.
  const period: ReportPeriod = useMemo(() => periodDays(preset, new Date(), timeZone), [preset, timeZone]);
  const key = `${period.start}|${period.end}|${includeSimulated}|${reload}`;
  const [result, setResult] = useState<{ key: string; report: DistrictReport | null; error: string | null } | null>(null);
  const loading = result?.key !== key;
  const report = result?.report ?? null;
  const error = result?.key === key ? result.error : null;

  useEffect(() => {
    const controller = new AbortController();
    fetchDistrictReport(period, includeSimulated, { signal: controller.signal })
      .then((data) => setResult({ key, report: data, error: null }))
      .catch((cause: unknown) => {
        if (!controller.signal.aborted) setResult((old) => ({ key, report: old?.report ?? null, error: describeError(cause, tMaybe).message }));
      });
    return () => controller.abort();
  }, [key, period, includeSimulated, tMaybe]);

  const exportLang = lang === "kk" || lang === "ru" || lang === "en" ? lang : "ru";
  const actions = (
    <Group gap="xs" data-testid="service-exports">
      <Text size="sm" c="dimmed">{t("service.export.label")}</Text>
      <Button size="xs" variant="light" component="a" href={districtReportUrl(period, includeSimulated, "xlsx", exportLang)} data-testid="service-export-xlsx">{t("service.export.xlsx")}</Button>
      <Button size="xs" variant="light" component="a" href={districtReportUrl(period, includeSimulated, "pdf", "kk")} data-testid="service-export-pdf-kk">{t("service.export.pdfKk")}</Button>
      <Button size="xs" variant="light" component="a" href={districtReportUrl(period, includeSimulated, "pdf", "ru")} data-testid="service-export-pdf-ru">{t("service.export.pdfRu")}</Button>
    </Group>
  );

  return (
    <DeskPage title={t("nav.service")} actions={actions}>
      <Group gap="md" wrap="wrap">
        <SegmentedControl
          aria-label={t("service.period.label")}
          data-testid="service-period"
          value={preset}
          onChange={(value) => setPreset(value as ServicePeriod)}
          data={SERVICE_PERIODS.map((p) => ({ value: p, label: t(`service.period.${p}` as MessageKey) }))}
        />
        <Text size="sm" className="tabular" data-testid="service-range">{t("service.range", { start: period.start, end: period.end })}</Text>
        <Switch checked={includeSimulated} onChange={(e) => setIncludeSimulated(e.currentTarget.checked)} label={t("service.includeSimulated")} data-testid="service-simulated" />
        {loading && <Loader size="sm" />}
      </Group>
      {error && <Alert color="red" title={t("service.loadFailed")}>{error}</Alert>}
      {report && report.districts.length === 0 && <Alert color="gray">{t("service.noDistricts")}</Alert>}
      {report && report.districts.length > 0 && (
        <Stack gap="sm">
          <Summary report={report} locale={locale} />
          <DistrictBars report={report} />
          <DistrictTable report={report} />
          <InspectorTable report={report} />
          <Text size="xs" c="dimmed">{t("service.notes", { version: report.set_version ?? "—" })}</Text>
        </Stack>
      )}
      <FeedbackPanel period={period} includeSimulated={includeSimulated} canWrite={canWrite} onSaved={() => setReload((n) => n + 1)} />
    </DeskPage>
  );
}
