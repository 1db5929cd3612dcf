import { Alert, Badge, Button, Grid, Group, Select, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../api/problem";
import { fetchIncidentCategories, type IncidentCategory } from "../api/incidents";
import { IntakeForm } from "../desks/incidents/IntakeForm";
import { useI18n } from "../i18n/I18nProvider";
import { navigate } from "../shell/router";
import { LivePlayer } from "../video/LivePlayer";
import { fetchOperators, type CallRead, type OperatorRead } from "./api";
import { callRole, intakePrefill, mediaProblems } from "./calls";
import { CallMap } from "./CallMap";
import type { PhoneSession } from "./session";

/** Transfer: an operator on duty or the supervisor, from the server's list (not this operator). */
function TransferPicker({ myId, onTransfer }: { myId: number | null; onTransfer: (to: number) => void }) {
  const { t, tMaybe } = useI18n();
  const [operators, setOperators] = useState<OperatorRead[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchOperators({ signal: controller.signal })
      .then((list) => setOperators(list.filter((o) => o.id !== myId)))
      .catch((e: unknown) => { if (!controller.signal.aborted) setError(describeError(e, tMaybe).message); });
    return () => controller.abort();
  }, [myId, tMaybe]);
  if (error) return <Text size="xs" c="red">{error}</Text>;
  if (operators !== null && operators.length === 0) return <Text size="xs" c="dimmed" data-testid="voice-transfer-none">{t("voice.transferNone")}</Text>;
  return (
    <Group gap={4} wrap="nowrap">
      <Select size="xs" w={200} placeholder={t("voice.transferTo")} value={to} onChange={setTo} data-testid="voice-transfer-select"
        data={(operators ?? []).map((o) => ({ value: String(o.id), label: o.busy ? t("voice.operatorBusy", { name: o.name }) : o.name }))}
        comboboxProps={{ withinPortal: true }} />
      <Button size="compact-xs" variant="light" disabled={to === null} onClick={() => to && onTransfer(Number(to))} data-testid="voice-transfer">
        {t("voice.transfer")}
      </Button>
    </Group>
  );
}

/** The 102 intake, prefilled from the call; the created incident is linked to the call. */
function CreateIncident({ call, onLinked }: { call: CallRead; onLinked: (incidentId: number) => void }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [categories, setCategories] = useState<IncidentCategory[]>([]);
  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    fetchIncidentCategories({ signal: controller.signal }).then(setCategories).catch(() => undefined);
    return () => controller.abort();
  }, [open, lang]);
  return (
    <>
      <Button size="compact-xs" variant="light" onClick={() => setOpen(true)} data-testid="voice-create-incident">{t("voice.createIncident")}</Button>
      <IntakeForm opened={open} categories={categories} prefill={intakePrefill(call)} onClose={() => setOpen(false)}
        onCreated={(incident) => { setOpen(false); onLinked(incident.id); }} />
    </>
  );
}

/** The selected call: where, who, the camera live, and (when this tab has it) hold, mute, transfer, hang up. */
export function CallDetail({ call, myId, session, canCreateIncident, onHold, onMute, onTransfer, onHangUp, onLink }: {
  call: CallRead;
  myId: number | null;
  session: PhoneSession;
  canCreateIncident: boolean;
  onHold: (on: boolean) => void;
  onMute: (on: boolean) => void;
  onTransfer: (to: number) => void;
  onHangUp: () => void;
  onLink: (incidentId: number) => void;
}) {
  const { t, tMaybe } = useI18n();
  const [camera, setCamera] = useState<string | null>(null);
  const shownCamera = camera && call.camera_codes.includes(camera) ? camera : (call.camera_codes[0] ?? null);
  const talking = session.status === "talking" && session.callId === call.id ? session : null;
  const role = callRole(call, myId);
  const problems = mediaProblems(call);
  return (
    <Stack gap="xs" data-testid="voice-call-detail" data-call-id={call.id} data-talking={talking ? "true" : "false"}>
      <Group gap="xs">
        <Text fw={600}>{call.device_code ? t("voice.terminal", { code: call.device_code }) : t("voice.line102")}</Text>
        {call.site && <Text size="sm">{call.site.name}</Text>}
        {call.caller && <Text size="sm" data-testid="voice-call-caller">{t("voice.caller", { number: call.caller })}</Text>}
        {talking && (
          <Badge color={talking.held ? "orange" : "green"} data-testid="voice-line-state" data-state={talking.held ? "held" : "talking"}>
            {talking.held ? t("voice.onHold") : t("voice.onLine")}
          </Badge>
        )}
        {role === "transfer_away" && <Badge color="grape">{t("voice.who.transferring", { name: call.transfer_to?.name ?? "—" })}</Badge>}
      </Group>
      {talking && (
        <Group gap="xs" data-testid="voice-controls">
          <Button size="xs" variant="light" color="orange" onClick={() => onHold(!talking.held)} data-testid="voice-hold">
            {talking.held ? t("voice.resume") : t("voice.hold")}
          </Button>
          <Button size="xs" variant="light" onClick={() => onMute(!talking.muted)} data-testid="voice-mute" data-muted={talking.muted ? "true" : "false"}>
            {talking.muted ? t("voice.unmute") : t("voice.mute")}
          </Button>
          <TransferPicker myId={myId} onTransfer={onTransfer} />
          <Button size="xs" color="red" onClick={onHangUp} data-testid="voice-hangup">{t("voice.hangUp")}</Button>
        </Group>
      )}
      {(call.incident_id !== null || (talking && canCreateIncident)) && (
        <Group gap="xs">
          {call.incident_id !== null ? (
            <Button size="compact-xs" variant="subtle" onClick={() => navigate(`/incidents/${call.incident_id}`)} data-testid="voice-open-incident">
              {t("voice.openIncident")}
            </Button>
          ) : <CreateIncident call={call} onLinked={onLink} />}
        </Group>
      )}
      {call.media && (
        <Text size="xs" c="dimmed" data-testid="voice-media">
          {t("voice.media", { rx: call.media.rx_packets, lost: call.media.lost, late: call.media.late, jitter: call.media.jitter_ms.toFixed(1) })}
        </Text>
      )}
      {problems.length > 0 && (
        <Alert color="orange" py={4} data-testid="voice-problems">{problems.map((p) => tMaybe(`voice.problem.${p}`) ?? p).join(" · ")}</Alert>
      )}
      <Grid gutter="xs">
        <Grid.Col span={{ base: 12, sm: 7 }}>
          {shownCamera ? (
            <Stack gap={2}>
              <LivePlayer code={shownCamera} height={200} />
              {call.camera_codes.length > 1 && (
                <Select size="xs" value={shownCamera} onChange={setCamera} data={call.camera_codes} data-testid="voice-camera-select" comboboxProps={{ withinPortal: true }} />
              )}
            </Stack>
          ) : <Text size="xs" c="dimmed">{t("voice.noCamera")}</Text>}
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 5 }}>
          {call.lon !== null && call.lat !== null ? <CallMap lon={call.lon} lat={call.lat} /> : <Text size="xs" c="dimmed">{t("voice.noPlace")}</Text>}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
