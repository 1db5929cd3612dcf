import { Alert, Badge, Grid, Group, Paper, Text, Title } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { describeError } from "../api/problem";
import { useSession } from "../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../auth/permissions";
import { useI18n } from "../i18n/I18nProvider";
import { ANSWER_CALL_KEY, type Shortcut } from "../shell/shortcuts";
import { useShortcuts } from "../shell/useShortcuts";
import { canAnswer, nextToAnswer } from "./calls";
import { CallDetail } from "./CallDetail";
import { CallQueue } from "./CallQueue";
import { MicBar, useVoicePreferences } from "./MicBar";
import { setRinging, unlockRing } from "./ring";
import type { Failure } from "./session";
import { useVoiceDesk } from "./useVoiceDesk";

/** The caller's audio: an <audio> element playing the call's remote stream. */
function RemoteAudio({ stream }: { stream: MediaStream | null }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = stream;
    if (stream) void audio.play().catch(() => undefined);
  }, [stream]);
  return <audio ref={ref} autoPlay data-testid="voice-remote-audio" data-live={stream ? "true" : "false"} />;
}

function FailureNotice({ failure, onClose }: { failure: Failure; onClose: () => void }) {
  const { t } = useI18n();
  const text = failure.reason === "taken" ? t("voice.failed.taken", { name: failure.by?.name ?? "—" })
    : failure.reason === "mic" ? t(`voice.mic.state.${failure.mic}`) + " — " + t("voice.failed.mic")
      : t("voice.failed.error", { message: failure.message });
  return (
    <Alert color={failure.reason === "taken" ? "orange" : "red"} py={6} withCloseButton onClose={onClose}
      data-testid="voice-failure" data-reason={failure.reason}>
      {text}
    </Alert>
  );
}

/** The calls panel of the alarm desk: SOS and 102 calls ring, queue, are answered in the browser and handled. */
export function VoicePanel() {
  const { t, tMaybe } = useI18n();
  const { user } = useSession();
  const canTake = hasPermission(user, PERMISSIONS.voiceAnswer);
  const canCreateIncident = hasPermission(user, "incidents:write");
  const prefs = useVoicePreferences();
  const desk = useVoiceDesk(prefs.deviceId);
  const { calls, session, myId } = desk;
  const [chosen, setChosen] = useState<number | null>(null);
  const [dismissed, setDismissed] = useState<Failure | null>(null);
  const talkingId = session.status === "talking" ? session.callId : null;
  const selected = calls.find((c) => c.id === (chosen ?? talkingId)) ?? calls.find((c) => c.id === talkingId) ?? calls[0] ?? null;
  const failure = session.status === "idle" && session.last !== dismissed ? session.last : null;
  const waiting = calls.filter((c) => canAnswer(c, myId)).length;

  const ring = canTake && desk.ringing && !prefs.ringMuted;
  useEffect(() => {
    setRinging(ring);
    return () => setRinging(false);
  }, [ring]);

  const answer = (id: number) => {
    unlockRing();
    setChosen(id);
    void desk.answer(id);
  };
  const keys: Shortcut[] = canTake ? [{
    keys: ANSWER_CALL_KEY, label: "shortcuts.answerCall", scope: "desk",
    run: () => {
      const next = nextToAnswer(calls, myId);
      if (next && session.status === "idle") answer(next.id);
    },
  }] : [];
  useShortcuts(keys);

  if (calls.length === 0 && !canTake) return null;
  return (
    <Paper withBorder p="xs" mb="sm" data-testid="voice-panel" data-waiting={waiting} data-ringing={ring ? "true" : "false"}>
      <Group justify="space-between" mb={6} wrap="wrap">
        <Group gap="xs">
          <Title order={5}>{t("voice.title")}</Title>
          <Badge color={waiting > 0 ? "red" : "gray"} data-testid="voice-waiting-count">{t("voice.waiting", { count: waiting })}</Badge>
        </Group>
        {canTake && (
          <MicBar deviceId={prefs.deviceId} onDevice={prefs.setDeviceId} ringMuted={prefs.ringMuted} onRingMuted={prefs.setRingMuted}
            failedMic={failure?.reason === "mic" ? failure.mic : null} />
        )}
      </Group>
      {desk.error !== null && <Alert color="red" py={6} mb={6} data-testid="voice-error">{describeError(desk.error, tMaybe).message}</Alert>}
      {failure && <FailureNotice failure={failure} onClose={() => setDismissed(failure)} />}
      {desk.actionError && <Alert color="red" py={6} mb={6} withCloseButton onClose={desk.clearError} data-testid="voice-action-error">{desk.actionError}</Alert>}
      <RemoteAudio stream={desk.remote} />
      {calls.length > 0 && (
        <Grid gutter="sm">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <CallQueue calls={calls} myId={myId} talkingHere={talkingId} selectedId={selected?.id ?? null} canTake={canTake}
              answeringId={session.status === "answering" ? session.callId : null} onSelect={setChosen} onAnswer={answer} />
            {canTake && <Text size="xs" c="dimmed" mt={4}>{t("voice.answerHint", { key: ANSWER_CALL_KEY.toUpperCase() })}</Text>}
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {selected && (
              <CallDetail call={selected} myId={myId} session={session} canCreateIncident={canCreateIncident}
                onHold={(on) => void desk.hold(on)} onMute={(on) => void desk.mute(on)} onTransfer={(to) => void desk.transfer(to)}
                onHangUp={() => void desk.hangUp()} onLink={(incidentId) => void desk.link(selected.id, incidentId)} />
            )}
          </Grid.Col>
        </Grid>
      )}
      {calls.length === 0 && <Text size="sm" c="dimmed" data-testid="voice-no-calls">{t("voice.noCalls")}</Text>}
    </Paper>
  );
}
