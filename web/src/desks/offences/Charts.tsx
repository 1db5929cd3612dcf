import { Group, Stack, Text, Tooltip, UnstyledButton } from "@mantine/core";
import type { StatsMonth, StatsPart } from "../../api/statistics";
import { useI18n } from "../../i18n/I18nProvider";
import { barHeights, formatCount, formatPercent } from "./figures";

const CURRENT = "#1c7ed6";
const PREVIOUS = "#adb5bd";

/**
 * Months of the period as pairs of bars: this year's (blue) beside the same month of last year (grey). Plain SVG:
 * a dozen bars need no chart library.
 */
export function TrendChart({ months, monthName }: { months: readonly StatsMonth[]; monthName: (m: StatsMonth) => string }) {
  const { t, locale } = useI18n();
  const heights = barHeights(months.flatMap((m) => [m.current, m.previous]));
  const slot = 44;
  const height = 140;
  const width = Math.max(slot * months.length, slot);
  return (
    <Stack gap={4} data-testid="offences-trend">
      <svg width="100%" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={t("offences.trend.title")} preserveAspectRatio="xMinYMin meet" style={{ maxHeight: 220 }}>
        {months.map((m, i) => {
          const now = heights[2 * i] * height;
          const before = heights[2 * i + 1] * height;
          const x = i * slot + 6;
          return (
            <g key={`${m.year}-${m.month}`} data-testid="trend-month" data-current={m.current} data-previous={m.previous}>
              <rect x={x} y={height - before} width={14} height={before} fill={PREVIOUS}>
                <title>{`${monthName(m)} ${m.year - 1}: ${formatCount(m.previous, locale)}`}</title>
              </rect>
              <rect x={x + 16} y={height - now} width={14} height={now} fill={CURRENT}>
                <title>{`${monthName(m)} ${m.year}: ${formatCount(m.current, locale)}`}</title>
              </rect>
              <text x={x + 15} y={height + 14} fontSize={10} textAnchor="middle" fill="currentColor">{monthName(m)}</text>
            </g>
          );
        })}
      </svg>
      <Group gap="md">
        <Group gap={4}><svg width={10} height={10}><rect width={10} height={10} fill={CURRENT} /></svg><Text size="xs">{t("offences.trend.current")}</Text></Group>
        <Group gap={4}><svg width={10} height={10}><rect width={10} height={10} fill={PREVIOUS} /></svg><Text size="xs">{t("offences.trend.previous")}</Text></Group>
      </Group>
    </Stack>
  );
}

/** Horizontal bars of a breakdown, the largest first: name, bar, count, share; a click drills into the records. */
export function StructureBars({ parts, name, onPick, testId }: {
  parts: readonly StatsPart[];
  name: (part: StatsPart) => string;
  onPick: ((part: StatsPart) => void) | null;
  testId: string;
}) {
  const { locale } = useI18n();
  const heights = barHeights(parts.map((p) => p.current));
  return (
    <Stack gap={2} data-testid={testId}>
      {parts.map((p, i) => {
        const row = (
          <Group gap={6} wrap="nowrap" data-testid="structure-row" data-label={p.label ?? ""}>
            <Text size="xs" w={170} truncate="end" title={name(p)}>{name(p)}</Text>
            <div style={{ flex: 1, background: "var(--mantine-color-gray-1)", height: 10, borderRadius: 2 }}>
              <div style={{ width: `${Math.round(heights[i] * 100)}%`, background: CURRENT, height: 10, borderRadius: 2 }} />
            </div>
            <Text size="xs" w={46} ta="right" className="tabular">{formatCount(p.current, locale)}</Text>
            <Text size="xs" w={52} ta="right" c="dimmed" className="tabular">{formatPercent(p.share, locale)}</Text>
          </Group>
        );
        return onPick ? (
          <Tooltip key={p.label ?? "none"} label={`${formatCount(p.previous, locale)} → ${formatCount(p.current, locale)}`} openDelay={400}>
            <UnstyledButton onClick={() => onPick(p)}>{row}</UnstyledButton>
          </Tooltip>
        ) : <div key={p.label ?? "none"}>{row}</div>;
      })}
    </Stack>
  );
}
