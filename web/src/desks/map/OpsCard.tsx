import { Alert, Badge, Button, CloseButton, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useState, type ReactNode } from "react";
import { acknowledgeAlarm, type AlarmItem } from "../../api/alarms";
import { createIncident, type IncidentItem } from "../../api/incidents";
import { describeError } from "../../api/problem";
import type { UnitItem } from "../../api/units";
import { useSession } from "../../auth/AuthProvider";
import { hasPermission, type Permission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { handleLinkClick, navigate } from "../../shell/router";
import { formatInstant } from "../../shell/time";
import { OpsDispatch } from "./OpsDispatch";
import { BAND_COLORS, INCIDENT_COLORS, UNIT_COLORS, priorityBand, type OpsKind } from "./ops";

export type OpsSelection =
  | { kind: "alarm"; item: AlarmItem }
  | { kind: "incident"; item: IncidentItem }
  | { kind: "unit"; item: UnitItem };

function DeskLink({ to, children, testId }: { to: string; children: ReactNode; testId: string }) {
  return (
    <Button component="a" href={to} size="compact-xs" variant="light" onClick={(e) => handleLinkClick(e, to)} data-testid={testId}>
      {children}
    </Button>
  );
}

function Line({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <Text span size="xs" c="dimmed" w={96} style={{ flex: "none" }}>
        {label}
      </Text>
      <Text span size="sm">
        {children}
      </Text>
    </Group>
  );
}

/** The card of an alarm, incident or unit clicked on the map, with the actions of its desk. */
export function OpsCard({ selection, onClose, onAlarmChanged }: {
  selection: OpsSelection;
  onClose: () => void;
  onAlarmChanged: (alarm: AlarmItem) => void;
}) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const can = (p: string) => hasPermission(user, p as Permission);
  const { kind, item } = selection;
  const at = (value: string | null | undefined) => (value ? formatInstant(value, { timeZone, withDate: true }) : "—");
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(e, tMaybe).message);
    } finally {
      setBusy(false);
    }
  };

  let title: string;
  let badge: { color: string; text: string };
  let body: ReactNode;
  let actions: ReactNode;
  if (kind === "alarm") {
    title = t("map.ops.alarmTitle", { id: item.id, kind: tMaybe(`alarms.kind.${item.kind}`) ?? item.kind });
    badge = { color: BAND_COLORS[priorityBand(item.priority)], text: t(`alarms.state.${item.state}` as MessageKey) };
    body = (
      <>
        <Line label={t("map.ops.priority")}>{item.priority}</Line>
        <Line label={t("alarms.device")}>{[item.device_code, item.site_code].filter(Boolean).join(" · ") || "—"}</Line>
        <Line label={t("map.ops.since")}>{at(item.first_at)}</Line>
        <Line label={t("map.ops.signals")}>{item.count}</Line>
      </>
    );
    actions = (
      <>
        {item.state === "new" && can("alarms:ack") && (
          <Button size="compact-xs" color="red" loading={busy} data-testid="ops-card-acknowledge"
            onClick={() => void run(async () => onAlarmChanged(await acknowledgeAlarm(item.id)))}>
            {t("alarms.acknowledge")}
          </Button>
        )}
        {item.state === "acknowledged" && can("incidents:write") && (
          <Button size="compact-xs" loading={busy} data-testid="ops-card-open-incident"
            onClick={() => void run(async () => navigate(`/incidents/${(await createIncident({ alarm_id: item.id })).id}`))}>
            {t("alarms.openIncident")}
          </Button>
        )}
        <DeskLink to="/alarms" testId="ops-card-desk">{t("map.ops.toAlarms")}</DeskLink>
      </>
    );
  } else if (kind === "incident") {
    title = t("map.ops.incidentTitle", { number: item.number });
    badge = { color: INCIDENT_COLORS[item.state], text: t(`incidents.state.${item.state}` as MessageKey) };
    body = (
      <>
        <Line label={t("map.ops.category")}>{item.category}</Line>
        <Line label={t("map.ops.priority")}>{item.priority}</Line>
        <Line label={t("map.ops.address")}>{item.address ?? "—"}</Line>
        <Line label={t("map.ops.since")}>{at(item.received_at)}</Line>
      </>
    );
    actions = <DeskLink to={`/incidents/${item.id}`} testId="ops-card-desk">{t("map.ops.toIncident")}</DeskLink>;
    if (can("units:dispatch") && item.state !== "resolved") {
      body = (
        <>
          {body}
          <OpsDispatch key={item.id} incidentId={item.id} />
        </>
      );
    }
  } else {
    title = `${item.code} · ${item.name}`;
    badge = { color: UNIT_COLORS[item.status], text: t(`units.status.${item.status}` as MessageKey) };
    body = (
      <>
        <Line label={t("units.kindTitle")}>{t(`units.kind.${item.kind}` as MessageKey)}</Line>
        <Line label={t("units.position")}>{item.stale ? t("units.stale") : t("units.fresh")}</Line>
        {item.flag && (
          <Text size="sm" c="red" fw={600} data-testid="ops-card-flag" data-flag={item.flag}>
            {t(`map.ops.flag.${item.flag}` as MessageKey)}
          </Text>
        )}
        <Line label={t("units.incidentTitle")}>{item.incident_id !== null ? t("units.incident", { id: item.incident_id }) : "—"}</Line>
      </>
    );
    actions = (
      <>
        {item.incident_id !== null && (
          <DeskLink to={`/incidents/${item.incident_id}`} testId="ops-card-incident">{t("map.ops.toIncident")}</DeskLink>
        )}
        <DeskLink to="/units" testId="ops-card-desk">{t("map.ops.toUnits")}</DeskLink>
      </>
    );
  }

  return (
    <Paper withBorder shadow="md" radius="sm" className="map-card" data-testid="ops-card" data-kind={kind satisfies OpsKind}
      data-state={kind === "unit" ? selection.item.status : selection.item.state}>
      <Group justify="space-between" wrap="nowrap" gap={6} px="sm" py={6} className="panel-header">
        <Title order={2} size="h5" lineClamp={1} data-testid="ops-card-title">
          {title}
        </Title>
        <Group gap={6} wrap="nowrap">
          <Badge size="sm" variant="filled" color={badge.color} tt="none" data-testid="ops-card-state">
            {badge.text}
          </Badge>
          <CloseButton size="sm" onClick={onClose} aria-label={t("map.card.close")} data-testid="ops-card-close" />
        </Group>
      </Group>
      <Stack gap={4} px="sm" py={6}>
        {body}
        {error && (
          <Alert color="red" variant="light" py={4} data-testid="ops-card-error">
            {error}
          </Alert>
        )}
        <Group gap={6} pt={4}>
          {actions}
        </Group>
      </Stack>
    </Paper>
  );
}
