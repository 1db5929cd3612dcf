import { Button, Group, Select } from "@mantine/core";
import type { AlarmState } from "../../api/alarms";
import { useI18n } from "../../i18n/I18nProvider";
import { NO_FILTER, PRIORITY_BANDS, isFiltered, type AlarmFilter } from "./filters";

/** Priority band, kind, site and state of the open queue; the choices are what the queue holds. */
export function AlarmFilters({ filter, kinds, sites, onChange }: {
  filter: AlarmFilter;
  kinds: readonly string[];
  sites: readonly string[];
  onChange: (filter: AlarmFilter) => void;
}) {
  const { t, tMaybe } = useI18n();
  const states: AlarmState[] = ["new", "acknowledged"];
  return (
    <Group gap={6} mb={6} wrap="wrap" data-testid="alarm-filters">
      <Select
        size="xs" w={120} clearable placeholder={t("alarms.filter.priority")} aria-label={t("alarms.filter.priority")}
        data={PRIORITY_BANDS.map((p) => ({ value: String(p), label: t("alarms.filter.upTo", { priority: p }) }))}
        value={filter.maxPriority === null ? null : String(filter.maxPriority)}
        onChange={(v) => onChange({ ...filter, maxPriority: v ? Number(v) : null })}
        data-testid="alarm-filter-priority"
      />
      <Select
        size="xs" w={160} clearable searchable placeholder={t("alarms.filter.kind")} aria-label={t("alarms.filter.kind")}
        data={kinds.map((k) => ({ value: k, label: tMaybe(`alarms.kind.${k}`) ?? k }))}
        value={filter.kind} onChange={(v) => onChange({ ...filter, kind: v })} data-testid="alarm-filter-kind"
      />
      <Select
        size="xs" w={130} clearable searchable placeholder={t("alarms.filter.site")} aria-label={t("alarms.filter.site")}
        data={[...sites]} value={filter.site} onChange={(v) => onChange({ ...filter, site: v })} data-testid="alarm-filter-site"
      />
      <Select
        size="xs" w={140} clearable placeholder={t("alarms.filter.state")} aria-label={t("alarms.filter.state")}
        data={states.map((s) => ({ value: s, label: t(`alarms.state.${s}`) }))}
        value={filter.state} onChange={(v) => onChange({ ...filter, state: (v as AlarmState | null) ?? null })}
        data-testid="alarm-filter-state"
      />
      {isFiltered(filter) && (
        <Button size="compact-xs" variant="subtle" onClick={() => onChange(NO_FILTER)} data-testid="alarm-filter-clear">
          {t("alarms.filter.clear")}
        </Button>
      )}
    </Group>
  );
}
