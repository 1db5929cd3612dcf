import { Text } from "@mantine/core";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { formatCount, heatColour, heatMatrix } from "./figures";

/** Weekday rows (Monday first) × 24 local hours, each cell coloured by its count of offences. */
export function HeatMap({ cells, total }: { cells: readonly (readonly number[])[]; total: number }) {
  const { t, locale } = useI18n();
  const { grid, max } = heatMatrix(cells);
  const size = 22;
  const left = 30;
  return (
    <div data-testid="offences-heatmap" data-total={total}>
      <svg width="100%" viewBox={`0 0 ${left + 24 * size} ${7 * size + 16}`} role="img" aria-label={t("offences.heatmap.title")} style={{ maxWidth: 620 }}>
        {grid.map((row, d) => (
          <g key={d}>
            <text x={0} y={d * size + 15} fontSize={10} fill="currentColor">{t(`offences.weekday.${d + 1}` as MessageKey)}</text>
            {row.map((count, h) => (
              <rect key={h} x={left + h * size} y={d * size} width={size - 2} height={size - 2} fill={heatColour(count, max)}
                stroke="var(--mantine-color-gray-3)" strokeWidth={0.5} data-testid="heat-cell" data-count={count}>
                <title>{t("offences.heatmap.cell", { weekday: t(`offences.weekday.${d + 1}` as MessageKey), hour: h, count: formatCount(count, locale) })}</title>
              </rect>
            ))}
          </g>
        ))}
        {[0, 3, 6, 9, 12, 15, 18, 21].map((h) => (
          <text key={h} x={left + h * size + 2} y={7 * size + 12} fontSize={10} fill="currentColor">{h}</text>
        ))}
      </svg>
      <Text size="xs" c="dimmed">{t("offences.heatmap.total", { count: formatCount(total, locale) })}</Text>
    </div>
  );
}
