import { Alert, Badge, Button, Group, Paper, Stack, Tabs, Text, Textarea, Title } from "@mantine/core";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchIncidentCategories, type IncidentCategory } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { fetchCurrentShift, fetchHandovers, handOver, takeOver, type Handover, type ShiftSummary } from "../../api/shifts";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useEventStream, useLiveEventHandler } from "../../live/hooks";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { ShiftSummaryView } from "./ShiftSummaryView";

/** The current shift, the handovers, reloaded on every `shifts.*` event and when the stream (re)connects. */
function useShiftData() {
  const { state } = useEventStream();
  const [summary, setSummary] = useState<ShiftSummary | null>(null);
  const [handovers, setHandovers] = useState<Handover[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  // Whether a load succeeded: afterwards a drop of the stream waits for the reconnection, which reloads.
  const loadedRef = useRef(false);
  useEffect(() => {
    if (state !== "open" && loadedRef.current) return;
    const controller = new AbortController();
    Promise.all([fetchCurrentShift({ signal: controller.signal }), fetchHandovers({ signal: controller.signal })])
      .then(([current, page]) => {
        loadedRef.current = true;
        setSummary(current);
        setHandovers(page.items);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [state, version]);
  useLiveEventHandler((event) => {
    if (event.name.startsWith("shifts.")) reload();
  });
  return { summary, handovers, error, reload };
}

function Signatures({ handover }: { handover: Handover }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  return (
    <Text size="sm">
      {t("shifts.outgoingSigned", { name: handover.outgoing_name, at: formatInstant(handover.outgoing_signed_at, { timeZone, withSeconds: false }) })}
      {handover.incoming_name && handover.incoming_signed_at && (
        <> · {t("shifts.incomingSigned", { name: handover.incoming_name, at: formatInstant(handover.incoming_signed_at, { timeZone, withSeconds: false }) })}</>
      )}
    </Text>
  );
}

export function ShiftsDesk() {
  const { t, tMaybe } = useI18n();
  const { user } = useSession();
  const canSign = hasPermission(user, PERMISSIONS.shiftsHandover);
  const { summary, handovers, error, reload } = useShiftData();
  const [categories, setCategories] = useState<IncidentCategory[]>([]);
  const [notes, setNotes] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const pending = handovers.find((h) => h.state === "awaiting_incoming") ?? null;
  const names = useMemo(() => Object.fromEntries(categories.map((c) => [c.code, c.name])), [categories]);
  useEffect(() => {
    fetchIncidentCategories().then(setCategories).catch(() => undefined);
  }, []);

  const act = (work: Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    work.then(() => {
      setNotes("");
      reload();
    }).catch((e: unknown) => setFailure(describeError(e, tMaybe).message)).finally(() => setBusy(false));
  };

  return (
    <DeskPage title={t("nav.shifts")}>
      <Stack gap="sm" data-testid="shifts-desk">
        {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
        {failure && <Alert color="red" withCloseButton onClose={() => setFailure(null)} data-testid="handover-error">{failure}</Alert>}
        {pending ? (
          <Paper withBorder p="sm" data-testid="handover-pending" data-id={pending.id}>
            <Group justify="space-between" align="flex-start">
              <Stack gap={4}>
                <Title order={2} size="h4">{t("shifts.awaiting")}</Title>
                <Signatures handover={pending} />
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="handover-notes">{pending.notes || t("shifts.noNotes")}</Text>
              </Stack>
              {canSign && user?.id !== pending.outgoing_user_id && (
                <Stack gap={4} w={320}>
                  <Textarea size="xs" autosize minRows={2} placeholder={t("shifts.incomingNote")} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} data-testid="handover-incoming-note" />
                  <Button loading={busy} onClick={() => act(takeOver(pending.id, notes.trim() || null))} data-testid="handover-take-over">{t("shifts.takeOver")}</Button>
                </Stack>
              )}
              {canSign && user?.id === pending.outgoing_user_id && <Badge color="yellow">{t("shifts.waitingForOther")}</Badge>}
            </Group>
            <ShiftSummaryView summary={pending.summary} categoryName={(c) => names[c] ?? c} />
          </Paper>
        ) : summary && (
          <Paper withBorder p="sm">
            <ShiftSummaryView summary={summary} categoryName={(c) => names[c] ?? c} />
            {canSign && (
              <Stack gap={4} mt="sm">
                <Textarea autosize minRows={3} label={t("shifts.notes")} placeholder={t("shifts.notesHint")} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} data-testid="handover-notes-input" />
                <Group><Button loading={busy} onClick={() => act(handOver(notes))} data-testid="handover-sign">{t("shifts.handOver")}</Button></Group>
              </Stack>
            )}
          </Paper>
        )}
        <Tabs defaultValue="history">
          <Tabs.List><Tabs.Tab value="history">{t("shifts.history")}</Tabs.Tab></Tabs.List>
          <Tabs.Panel value="history" pt="xs">
            <Stack gap={6} data-testid="handover-history">
              {handovers.length === 0 && <Text size="sm" c="dimmed">{t("shifts.noHandovers")}</Text>}
              {handovers.map((h) => (
                <Paper key={h.id} withBorder p="xs" data-testid="handover-row" data-state={h.state}>
                  <Group gap="xs">
                    <Badge color={h.state === "signed" ? "green" : "yellow"} size="sm">{t(h.state === "signed" ? "shifts.state.signed" : "shifts.state.awaiting")}</Badge>
                    <Signatures handover={h} />
                  </Group>
                  {h.notes && <Text size="sm" mt={4} style={{ whiteSpace: "pre-wrap" }}>{h.notes}</Text>}
                  {h.incoming_note && <Text size="xs" c="dimmed" mt={2}>{h.incoming_note}</Text>}
                </Paper>
              ))}
            </Stack>
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </DeskPage>
  );
}
