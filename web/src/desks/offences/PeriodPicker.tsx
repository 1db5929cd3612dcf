import { ActionIcon, Group, SegmentedControl, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { PERIOD_KINDS, customPeriod, isCalendarDate, periodContaining, shiftPeriod, type Period, type PeriodKind } from "./periods";

/** "01.11.2026" from "2026-11-01": the way Kazakh and Russian reports print days. */
export function dotted(day: string): string {
  const [y, m, d] = day.split("-");
  return `${d}.${m}.${y}`;
}

/**
 * Month, quarter, half-year, year to date or a custom range, with steps back and forward. Switching the kind keeps
 * the period's last day as the anchor, so "November" becomes "Q4", "July–December" or "January–November".
 */
export function PeriodPicker({ period, onChange }: { period: Period; onChange: (period: Period) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<{ first: string; last: string }>({ first: period.first, last: period.last });
  const valid = isCalendarDate(draft.first) && isCalendarDate(draft.last);

  const choose = (kind: PeriodKind) => {
    if (kind === "custom") {
      setDraft({ first: period.first, last: period.last });
      onChange({ ...period, kind: "custom" });
    } else {
      onChange(periodContaining(kind, period.last));
    }
  };
  const editCustom = (next: { first: string; last: string }) => {
    setDraft(next);
    if (isCalendarDate(next.first) && isCalendarDate(next.last)) onChange(customPeriod(next.first, next.last));
  };

  return (
    <Group gap="xs" align="end" wrap="wrap" data-testid="offences-period">
      <SegmentedControl
        size="xs"
        value={period.kind}
        onChange={(value) => choose(value as PeriodKind)}
        data={PERIOD_KINDS.map((kind) => ({ value: kind, label: t(`offences.period.${kind}` as MessageKey) }))}
        aria-label={t("offences.period.label")}
      />
      <ActionIcon variant="default" size="md" aria-label={t("offences.period.previous")} onClick={() => onChange(shiftPeriod(period, -1))}>‹</ActionIcon>
      {period.kind === "custom" ? (
        <Group gap={4} align="end">
          <TextInput size="xs" type="date" label={t("offences.period.from")} value={draft.first} w={150}
            onChange={(e) => editCustom({ ...draft, first: e.currentTarget.value })} error={!valid && draft.first !== "" ? " " : undefined} />
          <TextInput size="xs" type="date" label={t("offences.period.to")} value={draft.last} w={150}
            onChange={(e) => editCustom({ ...draft, last: e.currentTarget.value })} error={!valid ? t("offences.period.invalid") : undefined} />
        </Group>
      ) : (
        <Text size="sm" fw={600} className="tabular" data-testid="offences-period-range" miw={190} ta="center">
          {t("offences.period.range", { first: dotted(period.first), last: dotted(period.last) })}
        </Text>
      )}
      <ActionIcon variant="default" size="md" aria-label={t("offences.period.next")} onClick={() => onChange(shiftPeriod(period, 1))}>›</ActionIcon>
    </Group>
  );
}
