import { Alert, Badge, Button, Divider, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import {
  addIncidentNote,
  fetchIncident,
  fetchIncidentEido,
  transitionIncident,
  type IncidentDetail,
  type IncidentState,
} from "../../api/incidents";
import { describeError } from "../../api/problem";
import {
  dispatchUnit,
  fetchIncidentAssignments,
  fetchRecommendations,
  type Assignment,
  type UnitRecommendation,
} from "../../api/units";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { priorityColor } from "../alarms/queue";
import { CameraList } from "../alarms/CameraList";
import { PlaceCard } from "../alarms/PlaceCard";
import { IncidentDistrict } from "../districts/IncidentDistrict";
import { OpsMap, type OpsMarker } from "../units/OpsMap";
import { STATE_COLORS, stateLabelKey } from "./IncidentBoard";
import { CoverageBadges, UncoveredNotice } from "./Coverage";
import { AssignmentList, Recommendations } from "./Recommendations";
import { IncidentTimeline } from "./Timeline";
import { IncidentCalls } from "../../voice/IncidentCalls";

const DISPATCHABLE: ReadonlySet<IncidentState> = new Set(["new", "dispatched", "en_route", "on_scene", "on_hold"]);

interface Loaded {
  detail: IncidentDetail;
  assignments: Assignment[];
  recommendations: UnitRecommendation[];
}

function useIncident(id: number, version: number, canReadUnits: boolean) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    fetchIncident(id, { signal })
      .then(async (detail) => {
        const [assignments, recommendations] = canReadUnits
          ? await Promise.all([
              fetchIncidentAssignments(id, { signal }).catch(() => []),
              DISPATCHABLE.has(detail.state) ? fetchRecommendations(id, { signal }).catch(() => []) : Promise.resolve([]),
            ])
          : [[], []];
        if (!signal.aborted) {
          setLoaded({ detail, assignments, recommendations });
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (!signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [id, version, canReadUnits]);
  return { loaded: loaded?.detail.id === id ? loaded : null, error };
}

async function downloadEido(id: number, number: string) {
  const message = await fetchIncidentEido(id);
  const url = URL.createObjectURL(new Blob([JSON.stringify(message, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${number}.eido.json`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function IncidentMap({ detail, recommendations, chosen }: { detail: IncidentDetail; recommendations: readonly UnitRecommendation[]; chosen: UnitRecommendation | null }) {
  const markers = useMemo<OpsMarker[]>(() => {
    const list: OpsMarker[] = recommendations
      .filter((r) => r.route.coordinates.length > 0)
      .map((r) => {
        const [lon, lat] = r.route.coordinates[0];
        return { key: `unit:${r.code}`, lon, lat, color: r.code === chosen?.code ? "#4dabf7" : "#1c7ed6", label: r.code, testId: "incident-map-unit", data: { code: r.code } };
      });
    if (detail.lon !== null && detail.lat !== null) {
      list.push({ key: "incident", lon: detail.lon, lat: detail.lat, color: `var(--mantine-color-${priorityColor(detail.priority)}-6)`, label: detail.number, testId: "incident-map-incident", shape: "square" });
    }
    return list;
  }, [detail, recommendations, chosen]);
  const route = useMemo(() => chosen?.route.coordinates.map(([lon, lat]) => [lon, lat] as const) ?? null, [chosen]);
  const fitPoints = useMemo(() => {
    const points: [number, number][] = route ? route.map(([lon, lat]) => [lon, lat]) : [];
    if (detail.lon !== null && detail.lat !== null) points.push([detail.lon, detail.lat]);
    return points;
  }, [route, detail.lon, detail.lat]);
  if (detail.lon === null || detail.lat === null) return null;
  return <OpsMap testId="incident-map" markers={markers} route={route} fitKey={`${detail.id}:${chosen?.code ?? ""}`} fitPoints={fitPoints} height={240} streetNames />;
}

/** One incident: header, allowed transitions, units (recommended with route, dispatched), timeline, cameras, EIDO. */
export function IncidentDetailPanel({ id, version, categoryName, canWrite, canDispatch, canReadUnits, onChanged }: {
  id: number;
  version: number;
  categoryName: (code: string) => string;
  canWrite: boolean;
  canDispatch: boolean;
  canReadUnits: boolean;
  onChanged: () => void;
}) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [localVersion, setLocalVersion] = useState(0);
  const { loaded, error } = useIncident(id, version + localVersion, canReadUnits);
  const [chosenCode, setChosenCode] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  // Another incident selected: its predecessor's error and chosen unit go (reset while rendering).
  const [stateOf, setStateOf] = useState(id);
  if (stateOf !== id) {
    setStateOf(id);
    setActionError(null);
    setChosenCode(null);
  }

  if (error && !loaded) return <Alert color="red" data-testid="incident-error">{describeError(error, tMaybe).message}</Alert>;
  if (!loaded) return <Loader size="sm" />;
  const { detail, assignments, recommendations } = loaded;
  const chosen = recommendations.find((r) => r.code === chosenCode) ?? recommendations[0] ?? null;
  // Optional in the OpenAPI document (a field with a default); the server always sends it.
  const allowed = detail.allowed ?? [];

  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    setActionError(null);
    try {
      await action();
      onChanged();
      return true;
    } catch (e) {
      setActionError(describeError(e, tMaybe).message);
      return false;
    } finally {
      setBusy(null);
      setLocalVersion((v) => v + 1);
    }
  };

  return (
    <Stack gap="sm" data-testid="incident-detail" data-id={detail.id} data-state={detail.state} data-number={detail.number}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <Title order={2} size="h4" className="mono">{detail.number}</Title>
            <Badge color={priorityColor(detail.priority)}>P{detail.priority}</Badge>
            <Badge color={STATE_COLORS[detail.state]} variant="light" data-testid="incident-state">{t(stateLabelKey(detail.state))}</Badge>
            {detail.simulated && <Badge color="gray" size="sm">{t("incidents.simulated")}</Badge>}
            <CoverageBadges incident={detail} />
          </Group>
          <Text size="sm" fw={500}>{categoryName(detail.category)}</Text>
          <PlaceCard place={detail.place} address={detail.address} area={detail.area_names ?? detail.area} testId="incident-place" />
          <IncidentDistrict lon={detail.lon} lat={detail.lat} at={detail.received_at} />
          <Text size="xs" c="dimmed">
            {t("incidents.receivedAt", { at: formatInstant(detail.received_at, { timeZone, withDate: true }) })}
            {detail.alarm_id !== null && ` · ${t("incidents.fromAlarm", { id: detail.alarm_id })}`}
          </Text>
          {(detail.caller_name || detail.caller_phone) && (
            <Text size="xs" data-testid="incident-caller">{t("incidents.caller", { name: detail.caller_name ?? "—", phone: detail.caller_phone ?? "—" })}</Text>
          )}
          {detail.description && <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{detail.description}</Text>}
        </Stack>
        <Button size="xs" variant="default" onClick={() => void run("eido", () => downloadEido(detail.id, detail.number))} loading={busy === "eido"} data-testid="incident-eido">
          {t("incidents.eido")}
        </Button>
      </Group>
      <UncoveredNotice incident={detail} declinedBy={assignments.findLast((a) => a.stage === "declined")?.unit_code ?? null} />
      {canWrite && allowed.length > 0 && (
        <Group gap={6} data-testid="incident-transitions">
          {allowed.map((to) => (
            <Button key={to} size="compact-sm" variant="light" color={STATE_COLORS[to]} loading={busy === `to:${to}`} onClick={() => void run(`to:${to}`, () => transitionIncident(detail.id, to))} data-testid="incident-transition" data-to={to}>
              {t("incidents.moveTo", { state: t(stateLabelKey(to)) })}
            </Button>
          ))}
        </Group>
      )}
      {actionError && <Alert color="red" py={6} data-testid="incident-action-error">{actionError}</Alert>}
      <IncidentMap detail={detail} recommendations={recommendations} chosen={chosen} />
      {canReadUnits && (
        <>
          <AssignmentList items={assignments} />
          {DISPATCHABLE.has(detail.state) && (
            <Stack gap={4}>
              <Text fw={600} size="sm">{t("incidents.recommended")}</Text>
              <Recommendations
                items={recommendations}
                chosen={chosen?.code ?? null}
                canDispatch={canDispatch}
                dispatching={busy?.startsWith("unit:") ? busy.slice(5) : null}
                onChoose={setChosenCode}
                onDispatch={(code) => void run(`unit:${code}`, () => dispatchUnit(detail.id, code))}
              />
            </Stack>
          )}
        </>
      )}
      <IncidentCalls incidentId={detail.id} />
      <Divider />
      <Text fw={600} size="sm">{t("incidents.timeline.title")}</Text>
      <IncidentTimeline detail={detail} canWrite={canWrite} onAddNote={(text) => run("note", () => addIncidentNote(detail.id, text))} />
      <Divider />
      <Text fw={600} size="sm">{t("alarms.cameras")}</Text>
      <CameraList cameras={detail.cameras ?? []} testId="incident-camera" at={detail.received_at} />
    </Stack>
  );
}
