import { Alert, Badge, Button, Divider, Group, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { fetchAlarm, markAlarmStep, resolveAlarm, type AlarmDetail, type AlarmItem, type AlarmResolution, type StepState } from "../../api/alarms";
import { createIncident } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { navigate } from "../../shell/router";
import { formatInstant } from "../../shell/time";
import { OpsMap, type OpsMarker } from "../units/OpsMap";
import { PlateHitCard } from "../roads/PlateHitCard";
import { analyticsOf } from "./analytics";
import { healthReasonKey } from "./healthReason";
import { AnalyticsCard } from "./AnalyticsCard";
import { CameraList } from "./CameraList";
import { nameIn } from "./place";
import { PlaceCard } from "./PlaceCard";
import { ProcedureChecklist, localText } from "./ProcedureChecklist";
import { priorityColor } from "./queue";
import { ResolveForm } from "./ResolveForm";

export interface AlarmDetailPanelProps {
  alarmId: number;
  /** Bumped when a live event concerns this alarm: reload. */
  version: number;
  canHandle: boolean;
  canOpenIncident: boolean;
  acknowledging: boolean;
  onAcknowledge: () => void;
  /** The server's answer after resolving (the queue drops the alarm). */
  onChanged: (alarm: AlarmItem) => void;
}

function useAlarmDetail(alarmId: number, version: number) {
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchAlarm(alarmId, { signal: controller.signal })
      .then((d) => {
        setDetail(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [alarmId, version]);
  return { detail: detail?.id === alarmId ? detail : null, setDetail, error };
}

function AlarmMap({ detail }: { detail: AlarmDetail }) {
  const { t } = useI18n();
  const markers = useMemo<OpsMarker[]>(() => {
    const list: OpsMarker[] = detail.cameras.map((c) => ({
      key: `camera:${c.code}`,
      lon: c.lon,
      lat: c.lat,
      color: "#868e96",
      shape: "square",
      label: c.code,
      testId: "alarm-map-camera",
      data: { code: c.code, own: c.own_site ? "true" : "false" },
    }));
    if (detail.lon !== null && detail.lat !== null) {
      list.push({
        key: "alarm",
        lon: detail.lon,
        lat: detail.lat,
        color: `var(--mantine-color-${priorityColor(detail.priority)}-6)`,
        label: detail.device_code ?? t("alarms.device"),
        testId: "alarm-map-device",
        data: { code: detail.device_code ?? "" },
      });
    }
    return list;
  }, [detail, t]);
  if (detail.lon === null || detail.lat === null) return <Text size="sm" c="dimmed">{t("alarms.noPosition")}</Text>;
  return <OpsMap testId="alarm-map" markers={markers} height={220} fitKey={`alarm:${detail.id}`} fitPoints={[[detail.lon, detail.lat]]} streetNames />;
}

/** The selected alarm: what, where, its procedure checklist, cameras, and the actions. */
export function AlarmDetailPanel(props: AlarmDetailPanelProps) {
  const { alarmId, version, canHandle, canOpenIncident, acknowledging, onAcknowledge, onChanged } = props;
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const { detail, setDetail, error } = useAlarmDetail(alarmId, version);
  const { user } = useSession();
  const [actionError, setActionError] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  // Another alarm selected: its predecessor's error goes (reset while rendering, not in an effect afterwards).
  const [errorOf, setErrorOf] = useState(alarmId);
  if (errorOf !== alarmId) {
    setErrorOf(alarmId);
    setActionError(null);
  }

  if (error && !detail) return <Alert color="red" data-testid="alarm-detail-error">{describeError(error, tMaybe).message}</Alert>;
  if (!detail) return <Loader size="sm" />;

  // A camera's analytics rule raised it: its snapshot, rule and class, and the recording at that moment.
  const analytics = analyticsOf(detail.details, detail.event_name);
  // A device's health alarm: why (e.g. a camera's picture covered, ADR 0029).
  const reasonKey = healthReasonKey(detail.details, detail.event_name);
  const fail = (e: unknown) => setActionError(describeError(e, tMaybe).message);
  const markStep = async (key: string, state: StepState, note: string | null) => {
    try {
      setDetail(await markAlarmStep(detail.id, key, state, note));
    } catch (e) {
      fail(e);
    }
  };
  const resolve = async (resolution: AlarmResolution, note: string | null) => {
    try {
      onChanged(await resolveAlarm(detail.id, resolution, note));
    } catch (e) {
      fail(e);
    }
  };
  const openIncident = async () => {
    setOpening(true);
    try {
      const incident = await createIncident({ alarm_id: detail.id });
      navigate(`/incidents/${incident.id}`);
    } catch (e) {
      fail(e);
      setOpening(false);
    }
  };

  return (
    <Paper withBorder p="sm" data-testid="alarm-detail" data-id={detail.id} data-state={detail.state}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Stack gap={0}>
            <Group gap="xs">
              <Badge color={priorityColor(detail.priority)} variant="filled">P{detail.priority}</Badge>
              <Title order={3} size="h4">{tMaybe(`alarms.kind.${detail.kind}`) ?? detail.kind}</Title>
              <Badge variant="light" data-testid="alarm-detail-state">{t(`alarms.state.${detail.state}` as MessageKey)}</Badge>
            </Group>
            <Text size="xs" c="dimmed">
              #{detail.id} · <span className="mono">{detail.device_code ?? "—"}</span> · {nameIn(detail.place?.name, lang) ?? detail.site_code ?? "—"} ·{" "}
              {formatInstant(detail.first_at, { timeZone, withDate: true })}
              {(detail.acknowledged_by_label ?? detail.acknowledged_by_name) &&
                ` · ${t("alarms.acknowledgedBy", { name: detail.acknowledged_by_label ?? detail.acknowledged_by_name ?? "" })}`}
            </Text>
          </Stack>
          <Group gap="xs" wrap="nowrap">
            {detail.state === "new" && canHandle && (
              <Button size="xs" loading={acknowledging} onClick={onAcknowledge} data-testid="alarm-detail-ack">
                {t("alarms.acknowledgeShortcut")}
              </Button>
            )}
            {detail.state !== "resolved" && canOpenIncident && (
              <Button size="xs" variant="light" loading={opening} onClick={() => void openIncident()} data-testid="alarm-open-incident">
                {t("alarms.openIncident")}
              </Button>
            )}
          </Group>
        </Group>
        {actionError && <Alert color="red" py={6} data-testid="alarm-action-error">{actionError}</Alert>}
        {analytics && <AnalyticsCard alarm={analytics} canPlayback={hasPermission(user, PERMISSIONS.videoPlayback)} />}
        <PlateHitCard details={detail.details} eventName={detail.event_name} />
        {reasonKey && (
          <Text size="sm" data-testid="alarm-health-reason">
            {tMaybe(reasonKey) ?? String(detail.details?.reason ?? "")}
          </Text>
        )}
        <ProcedureChecklist
          title={localText(detail.procedure_title, lang)}
          steps={detail.steps}
          progress={detail.progress}
          editable={canHandle && detail.state === "acknowledged"}
          onMark={markStep}
        />
        <Divider />
        <PlaceCard place={detail.place} testId="alarm-place" />
        <AlarmMap detail={detail} />
        <Text fw={600} size="sm">{t("alarms.cameras")}</Text>
        <CameraList cameras={detail.cameras} testId="alarm-camera" at={detail.first_at} />
        {detail.state === "acknowledged" && canHandle && (
          <>
            <Divider />
            <ResolveForm onResolve={resolve} />
          </>
        )}
      </Stack>
    </Paper>
  );
}
