import { Button, Group, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../api/problem";
import { useSession } from "../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../auth/permissions";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { navigate } from "../shell/router";
import { formatInstant } from "../shell/time";
import { callBack, fetchIncidentCalls, recordingUrl, type CallRead } from "./api";
import { formatWaited } from "./calls";

/** The calls linked to an incident: when, how long, the recording to play (audited by the server), call back. */
export function IncidentCalls({ incidentId }: { incidentId: number }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canPlay = hasPermission(user, PERMISSIONS.voiceRecordings);
  const canCall = hasPermission(user, PERMISSIONS.voiceAnswer);
  const [calls, setCalls] = useState<CallRead[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchIncidentCalls(incidentId, { signal: controller.signal }).then(setCalls).catch(() => setCalls([]));
    return () => controller.abort();
  }, [incidentId]);
  if (calls.length === 0) return null;
  const back = (id: number) => {
    setNotice(null);
    // The callback rings out as this operator's call: the alarm desk, where the browser joins it, takes over.
    callBack(id).then(() => navigate("/alarms")).catch((e: unknown) => setNotice(describeError(e, tMaybe).message));
  };
  return (
    <Stack gap={4} data-testid="incident-calls">
      <Text fw={600} size="sm">{t("voice.recordings")}</Text>
      {calls.map((call) => (
        <Stack key={call.id} gap={2} data-testid="incident-call" data-call-id={call.id}>
          <Group gap="xs">
            <Text size="sm">{t(`voice.kind.${call.kind}`)} · {formatInstant(call.offered_at, { timeZone })}</Text>
            {call.recording?.duration_s != null && <Text size="xs" c="dimmed">{formatWaited(call.recording.duration_s)}</Text>}
            {canCall && call.state === "ended" && (
              <Button size="compact-xs" variant="subtle" onClick={() => back(call.id)} data-testid="incident-call-back">{t("voice.callBack")}</Button>
            )}
          </Group>
          {call.recording && canPlay && (
            <audio controls preload="none" src={recordingUrl(call.id)} style={{ width: "100%" }} data-testid="incident-call-recording" />
          )}
          {call.recording === null && <Text size="xs" c="dimmed">{t("voice.noRecording")}</Text>}
        </Stack>
      ))}
      {notice && <Text size="xs" data-testid="incident-call-notice">{notice}</Text>}
    </Stack>
  );
}
