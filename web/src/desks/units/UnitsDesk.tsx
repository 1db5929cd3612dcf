import { Alert, Badge, Grid, Group, ScrollArea, Table, Text } from "@mantine/core";
import { useCallback, useMemo, useState } from "react";
import { describeError } from "../../api/problem";
import { UNIT_STATUSES, fetchUnits } from "../../api/units";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useLiveEventHandler } from "../../live/hooks";
import { useLiveLoad } from "../../live/useLiveLoad";
import { DeskPage } from "../../shell/DeskPage";
import { navigate } from "../../shell/router";
import { useNow } from "../../shell/time";
import { beep } from "../alarms/sound";
import { DeclineAlerts } from "../incidents/Coverage";
import { STATUS_COLORS, applyDispatchFlagged, applyStatusChanged, applyUnitMoved, countByStatus, fromBoard, parseDispatchFlagged, timeInStatus, type LiveUnit } from "./board";
import { formatDuration } from "./duration";
import { OpsMap, type OpsMarker } from "./OpsMap";

function useLiveUnits() {
  const load = useCallback(async (signal: AbortSignal) => fromBoard((await fetchUnits({ signal })).items, Date.now()), []);
  const { value: units, update, error } = useLiveLoad<LiveUnit[]>([], load);
  useLiveEventHandler((event) => {
    if (event.name === "units.moved") update((u) => applyUnitMoved(u, event.payload));
    else if (event.name === "units.status_changed") update((u) => applyStatusChanged(u, event.payload, Date.now()));
    else if (event.name === "units.dispatch_flagged") {
      update((u) => applyDispatchFlagged(u, event.payload));
      // A high-priority dispatch that stalls sounds, as an unacknowledged urgent alarm does.
      const change = parseDispatchFlagged(event.payload);
      if (change?.flag && change.urgent) beep();
    }
  });
  return { units, error };
}

function UnitRow({ unit, nowMs, selected, onSelect }: { unit: LiveUnit; nowMs: number; selected: boolean; onSelect: () => void }) {
  const { t, lang } = useI18n();
  return (
    <Table.Tr data-testid="unit-row" data-code={unit.code} data-status={unit.status} data-stale={unit.stale} data-flag={unit.flag ?? ""} onClick={onSelect} style={{ cursor: "pointer" }} bg={selected ? "var(--mantine-color-blue-light)" : unit.flag ? "var(--mantine-color-red-light)" : undefined}>
      <Table.Td className="mono">{unit.code}</Table.Td>
      <Table.Td>{lang === "en" && unit.name_en ? unit.name_en : unit.name}</Table.Td>
      <Table.Td>{t(`units.kind.${unit.kind}` as MessageKey)}</Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLORS[unit.status]} variant="filled" size="sm" data-testid="unit-status">{t(`units.status.${unit.status}` as MessageKey)}</Badge>
        {unit.flag && (
          <Badge color="red" size="sm" ml={4} className="stall-flag" data-testid="unit-flag" data-flag={unit.flag}>
            {t(`units.flag.${unit.flag}` as MessageKey)}
          </Badge>
        )}
      </Table.Td>
      <Table.Td className="tabular" data-testid="unit-time-in-status">{formatDuration(timeInStatus(unit, nowMs))}</Table.Td>
      <Table.Td>
        {unit.stale ? <Badge color="orange" size="sm" data-testid="unit-stale">{t(unit.lon === null ? "units.noPosition" : "units.stale")}</Badge> : <Text size="xs" c="dimmed">{t("units.fresh")}</Text>}
      </Table.Td>
      <Table.Td>
        {unit.incident_id !== null && (
          <Text size="xs" c="blue" style={{ cursor: "pointer" }} onClick={(e) => { e.stopPropagation(); navigate(`/incidents/${unit.incident_id}`); }}>
            {t("units.incident", { id: unit.incident_id })}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function UnitsDesk() {
  const { t, tMaybe } = useI18n();
  const now = useNow(1000);
  const { units, error } = useLiveUnits();
  const [selected, setSelected] = useState<string | null>(null);
  const counts = useMemo(() => countByStatus(units), [units]);
  const markers = useMemo<OpsMarker[]>(
    () =>
      units
        .filter((u) => u.lon !== null && u.lat !== null)
        .map((u) => ({
          key: u.code,
          lon: u.lon as number,
          lat: u.lat as number,
          color: u.flag ? "#e03131" : STATUS_COLORS[u.status],
          label: u.flag ? `${u.code} · ${u.name} · ${t(`units.flag.${u.flag}` as MessageKey)}` : `${u.code} · ${u.name}`,
          testId: "unit-marker",
          shape: u.kind === "post" ? ("square" as const) : ("dot" as const),
          data: { code: u.code, status: u.status, stale: String(u.stale), flag: u.flag ?? "", lon: (u.lon as number).toFixed(6), lat: (u.lat as number).toFixed(6) },
          onClick: () => setSelected(u.code),
        })),
    [units, t],
  );
  const focus = units.find((u) => u.code === selected && u.lon !== null);
  return (
    <DeskPage title={t("nav.units")}>
      <div data-testid="units-desk">
        {error !== null && <Alert color="red" mb="xs" data-testid="units-error">{describeError(error, tMaybe).message}</Alert>}
        <DeclineAlerts numberOf={() => undefined} onOpen={(id) => navigate(`/incidents/${id}`)} />
        <Group gap={6} mb="xs" data-testid="unit-counts">
          {UNIT_STATUSES.map((s) => (
            <Badge key={s} color={STATUS_COLORS[s]} variant="light" data-testid={`unit-count-${s}`} data-count={counts[s]}>
              {t(`units.status.${s}` as MessageKey)}: {counts[s]}
            </Badge>
          ))}
        </Group>
        <Grid gutter="sm">
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <ScrollArea.Autosize mah="calc(100dvh - 210px)" type="auto">
              <Table striped highlightOnHover stickyHeader data-testid="unit-board">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("units.code")}</Table.Th>
                    <Table.Th>{t("units.name")}</Table.Th>
                    <Table.Th>{t("units.kindTitle")}</Table.Th>
                    <Table.Th>{t("units.statusTitle")}</Table.Th>
                    <Table.Th>{t("units.timeInStatus")}</Table.Th>
                    <Table.Th>{t("units.position")}</Table.Th>
                    <Table.Th>{t("units.incidentTitle")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {units.map((unit) => (
                    <UnitRow key={unit.code} unit={unit} nowMs={now.getTime()} selected={unit.code === selected} onSelect={() => setSelected(unit.code)} />
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <OpsMap testId="units-map" markers={markers} height="calc(100dvh - 210px)" fitKey={focus ? `unit:${focus.code}` : undefined} fitPoints={focus ? [[focus.lon as number, focus.lat as number]] : undefined} />
          </Grid.Col>
        </Grid>
      </div>
    </DeskPage>
  );
}
