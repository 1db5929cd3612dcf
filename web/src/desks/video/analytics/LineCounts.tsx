import { Alert, Group, Paper, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { fetchLineCounts, type CountBucket, type LineCounts } from "../../../api/analytics";
import { describeError } from "../../../api/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import { PERIODS_H, countBars, periodRange, totals } from "./counts";

const W = 100;
const H = 24;

/** A line's buckets as bars: forward (the arrow's way) above the axis, backward below. */
export function CountsChart({ buckets, label }: { buckets: readonly CountBucket[]; label: string }) {
  const bars = countBars(buckets, W, H / 2);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height={48} role="img" aria-label={label} data-testid="counts-chart">
      <line x1={0} y1={H / 2} x2={W} y2={H / 2} stroke="currentColor" strokeOpacity={0.3} strokeWidth={0.2} />
      {bars.map((b, i) => (
        <g key={i}>
          <rect x={b.x} y={H / 2 - b.forward} width={b.width} height={b.forward} fill="#228be6" data-testid="counts-forward" />
          <rect x={b.x} y={H / 2} width={b.width} height={b.backward} fill="#fd7e14" data-testid="counts-backward" />
        </g>
      ))}
    </svg>
  );
}

/** Crossings per direction of a camera's lines over the last hour, day or week. */
export function LineCountsPanel({ code }: { code: string }) {
  const { t, tMaybe } = useI18n();
  const [hours, setHours] = useState<string>("24");
  const [lines, setLines] = useState<LineCounts[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchLineCounts(code, periodRange(Number(hours), Date.now()), { signal: controller.signal })
      .then((l) => {
        setLines(l);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [code, hours]);
  const sum = totals(lines ?? []);

  return (
    <Paper withBorder p="xs" data-testid="line-counts">
      <Stack gap={4}>
        <Group justify="space-between">
          <Text fw={600} size="sm">{t("analytics.counts.title")}</Text>
          <SegmentedControl size="xs" value={hours} onChange={setHours}
            data={PERIODS_H.map((h) => ({ value: String(h), label: t(`analytics.counts.period${h}`) }))} />
        </Group>
        {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
        {lines?.length === 0 && <Text size="xs" c="dimmed">{t("analytics.counts.none")}</Text>}
        {lines && lines.length > 0 && (
          <Table withTableBorder striped fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("analytics.counts.line")}</Table.Th>
                <Table.Th>{t("analytics.counts.forward")}</Table.Th>
                <Table.Th>{t("analytics.counts.backward")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l) => (
                <Table.Tr key={l.rule_id} data-testid="line-count" data-id={l.rule_id}>
                  <Table.Td>
                    {l.name}
                    <CountsChart buckets={l.buckets} label={l.name} />
                    <Text size="xs" c="dimmed" data-testid="line-count-classes">
                      {Object.entries(l.by_label).map(([c, n]) => `${tMaybe(`analytics.class.${c}`) ?? c} ${n.forward}/${n.backward}`).join(" · ")}
                    </Text>
                  </Table.Td>
                  <Table.Td className="tabular" data-testid="line-count-forward">{l.forward}</Table.Td>
                  <Table.Td className="tabular" data-testid="line-count-backward">{l.backward}</Table.Td>
                </Table.Tr>
              ))}
              {lines.length > 1 && (
                <Table.Tr>
                  <Table.Td fw={600}>{t("analytics.counts.total")}</Table.Td>
                  <Table.Td className="tabular" fw={600}>{sum.forward}</Table.Td>
                  <Table.Td className="tabular" fw={600}>{sum.backward}</Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
