/**
 * The operating picture as the map desk and the wall use it: the live data, the items to draw (layer toggles
 * applied), the legend, the selected item and marker titles in the UI language.
 */
import { useLocalStorage } from "@mantine/hooks";
import { useCallback, useMemo, useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import type { OpsSelection } from "./OpsCard";
import { opsItems, opsLegend, parseOpsKey, type OpsItem, type OpsToggles } from "./ops";
import { useOpsData } from "./useOpsData";

export function useOpsPicture({ persistToggles = true }: { persistToggles?: boolean } = {}) {
  const { t } = useI18n();
  const data = useOpsData();
  const [stored, setToggles] = useLocalStorage<OpsToggles>({
    key: persistToggles ? "qorgau.map.ops" : "qorgau.wall.ops",
    defaultValue: {},
    getInitialValueInEffect: false,
  });
  const toggles = useMemo<OpsToggles>(() => (stored && typeof stored === "object" ? stored : {}), [stored]);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);

  const { alarms, incidents, units } = data;
  const items = useMemo(() => opsItems({ alarms, incidents, units }, toggles), [alarms, incidents, units, toggles]);
  const legend = useMemo(() => opsLegend({ alarms, incidents, units }), [alarms, incidents, units]);

  // The selected item as it is now (it follows live updates; gone when it left the picture).
  const selection = useMemo<OpsSelection | null>(() => {
    const parsed = selectedKey ? parseOpsKey(selectedKey) : null;
    if (!parsed) return null;
    if (parsed.kind === "alarm") {
      const item = alarms.find((a) => String(a.id) === parsed.ref);
      return item ? { kind: "alarm", item } : null;
    }
    if (parsed.kind === "incident") {
      const item = incidents.find((i) => String(i.id) === parsed.ref);
      return item ? { kind: "incident", item } : null;
    }
    const item = units.find((u) => u.code === parsed.ref);
    return item ? { kind: "unit", item } : null;
  }, [selectedKey, alarms, incidents, units]);

  const title = useCallback(
    (item: OpsItem) => {
      if (item.count) return t("map.ops.markerAlarms", { count: item.count });
      if (item.kind === "alarm") {
        return t("map.ops.markerAlarm", { id: item.ref, priority: item.priority ?? "", state: t(`alarms.state.${item.state}` as MessageKey) });
      }
      if (item.kind === "incident") {
        return t("map.ops.markerIncident", { number: item.label, state: t(`incidents.state.${item.state}` as MessageKey) });
      }
      return t("map.ops.markerUnit", { code: item.label, state: t(`units.status.${item.state}` as MessageKey) });
    },
    [t],
  );

  const available = { alarm: data.can.alarms, incident: data.can.incidents, unit: data.can.units };
  return { data, items, legend, toggles, setToggles, selectedKey, setSelectedKey, selection, title, available };
}
