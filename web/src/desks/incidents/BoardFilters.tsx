import { Button, Group, Select, TextInput } from "@mantine/core";
import type { RefObject } from "react";
import type { IncidentCategory } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import { PRIORITY_BANDS } from "../alarms/filters";
import { NO_BOARD_FILTER, type BoardFilter } from "./board";

/** Search and filters of the incident board. */
export function BoardFilters({ filter, categories, searchRef, shown, total, onChange }: {
  filter: BoardFilter;
  categories: readonly IncidentCategory[];
  searchRef: RefObject<HTMLInputElement | null>;
  shown: number;
  total: number;
  onChange: (filter: BoardFilter) => void;
}) {
  const { t } = useI18n();
  const active = filter.text.trim() !== "" || filter.category !== null || filter.maxPriority !== null;
  return (
    <Group gap={6} mb={6} data-testid="incident-filters">
      <TextInput ref={searchRef} size="xs" w={240} placeholder={t("incidents.find.search")} aria-label={t("incidents.find.search")}
        value={filter.text} onChange={(e) => onChange({ ...filter, text: e.currentTarget.value })} data-testid="incident-search" />
      <Select size="xs" w={200} clearable searchable placeholder={t("incidents.find.category")} aria-label={t("incidents.find.category")}
        data={categories.map((c) => ({ value: c.code, label: c.name }))} value={filter.category}
        onChange={(v) => onChange({ ...filter, category: v })} data-testid="incident-filter-category" />
      <Select size="xs" w={120} clearable placeholder={t("incidents.find.priority")} aria-label={t("incidents.find.priority")}
        data={PRIORITY_BANDS.map((p) => ({ value: String(p), label: t("alarms.filter.upTo", { priority: p }) }))}
        value={filter.maxPriority === null ? null : String(filter.maxPriority)}
        onChange={(v) => onChange({ ...filter, maxPriority: v ? Number(v) : null })} data-testid="incident-filter-priority" />
      {active && (
        <>
          <Button size="compact-xs" variant="subtle" onClick={() => onChange(NO_BOARD_FILTER)}>{t("incidents.find.clear")}</Button>
          <span data-testid="incident-filter-shown" style={{ fontSize: 12, opacity: 0.7 }}>{t("incidents.find.shown", { shown, total })}</span>
        </>
      )}
    </Group>
  );
}
