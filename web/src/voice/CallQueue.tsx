import { Badge, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { CallRead } from "./api";
import { callRole, canAnswer, canRejoin, formatWaited, waitedSeconds, type CallRole } from "./calls";

const KIND_COLORS: Record<CallRead["kind"], string> = { sos: "red", line102: "blue", callback: "grape" };

/** The current time, ticking every second (for waiting times). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Who has the call, as the row says it. */
function RoleText({ call, role }: { call: CallRead; role: CallRole }) {
  const { t } = useI18n();
  const text =
    role === "mine" || role === "mine_held" || role === "transfer_away" ? t("voice.who.you")
      : role === "outgoing" ? t("voice.who.outgoing")
      : role === "taken" ? t("voice.who.taken", { name: call.answered_by?.name ?? "—" })
        : role === "held_free" ? t("voice.who.heldFree")
          : role === "transfer_to_me" ? t("voice.who.transferToYou", { name: call.answered_by?.name ?? "—" })
            : null;
  if (!text) return null;
  return <Text size="xs" c={role === "taken" ? "dimmed" : undefined} data-testid="voice-call-who">{text}</Text>;
}

/** One row of the queue: kind, terminal and site (or the caller), time waited, who has it, and "answer". */
function CallRow({ call, myId, talkingHere, now, selected, busy, canTake, onSelect, onAnswer }: {
  call: CallRead;
  myId: number | null;
  talkingHere: number | null;
  now: number;
  selected: boolean;
  busy: boolean;
  canTake: boolean;
  onSelect: () => void;
  onAnswer: () => void;
}) {
  const { t } = useI18n();
  const role = callRole(call, myId);
  const waiting = canAnswer(call, myId);
  const rejoin = canRejoin(call, myId, talkingHere);
  return (
    <Paper withBorder p={6} radius="sm" onClick={onSelect} bg={selected ? "var(--mantine-color-default-hover)" : undefined}
      style={{ cursor: "pointer", borderColor: waiting ? "var(--mantine-color-red-6)" : undefined }}
      data-testid="voice-call" data-call-id={call.id} data-state={call.state} data-role={role}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap">
            <Badge size="xs" color={KIND_COLORS[call.kind]} variant="filled">{t(`voice.kind.${call.kind}`)}</Badge>
            <Badge size="xs" variant="light" data-testid="voice-call-state">{t(`voice.state.${call.state}`)}</Badge>
            {(call.escalation_level ?? 0) > 0 && (
              <Badge size="xs" color="red" variant="outline" data-testid="voice-call-escalated">{t("voice.escalated")}</Badge>
            )}
            <Text size="sm" fw={600} truncate>
              {call.device_code ? t("voice.terminal", { code: call.device_code }) : t("voice.caller", { number: call.caller ?? "—" })}
            </Text>
          </Group>
          {call.site && <Text size="xs" truncate>{call.site.name}</Text>}
          <RoleText call={call} role={role} />
        </Stack>
        <Stack gap={2} align="flex-end">
          <Text size="sm" ff="monospace" c={waiting ? "red" : "dimmed"} data-testid="voice-call-waited">
            {formatWaited(waitedSeconds(call, now))}
          </Text>
          {waiting && canTake && (
            <Button size="compact-xs" color="green" loading={busy} data-testid="voice-answer"
              onClick={(e) => { e.stopPropagation(); onAnswer(); }}>
              {t("voice.answer")}
            </Button>
          )}
          {rejoin && canTake && (
            <Button size="compact-xs" variant="light" loading={busy} data-testid="voice-rejoin"
              onClick={(e) => { e.stopPropagation(); onAnswer(); }}>
              {t("voice.rejoin")}
            </Button>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}

/** The calls waiting (oldest first, with their waiting time) and those in progress, on this desk. */
export function CallQueue({ calls, myId, talkingHere, selectedId, answeringId, canTake, onSelect, onAnswer }: {
  calls: readonly CallRead[];
  myId: number | null;
  talkingHere: number | null;
  selectedId: number | null;
  answeringId: number | null;
  canTake: boolean;
  onSelect: (id: number) => void;
  onAnswer: (id: number) => void;
}) {
  const { t } = useI18n();
  const now = useNow();
  if (calls.length === 0) return <Text size="sm" c="dimmed" data-testid="voice-no-calls">{t("voice.noCalls")}</Text>;
  return (
    <Stack gap={4} data-testid="voice-queue">
      {calls.map((call) => (
        <CallRow key={call.id} call={call} myId={myId} talkingHere={talkingHere} now={now} selected={call.id === selectedId} busy={answeringId === call.id}
          canTake={canTake && answeringId === null} onSelect={() => onSelect(call.id)} onAnswer={() => onAnswer(call.id)} />
      ))}
    </Stack>
  );
}
