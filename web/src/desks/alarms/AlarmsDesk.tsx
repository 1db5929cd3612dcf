import { Alert, Badge, Grid, Group, SegmentedControl, Switch, Text } from "@mantine/core";
import { useCallback, useMemo, useState } from "react";
import { acknowledgeAlarm, fetchAlarmConfig, fetchAlarmQueue, type AlarmItem } from "../../api/alarms";
import { describeError, isApiError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { useLiveLoad } from "../../live/useLiveLoad";
import { useMeta } from "../../shell/meta";
import { DeskPage } from "../../shell/DeskPage";
import { formatInstant } from "../../shell/time";
import type { Shortcut } from "../../shell/shortcuts";
import { useShortcuts } from "../../shell/useShortcuts";
import { VoicePanel } from "../../voice/VoicePanel";
import { AlarmDetailPanel } from "./AlarmDetailPanel";
import { AlarmFilters } from "./AlarmFilters";
import { AlarmHistory } from "./AlarmHistory";
import { AlarmQueue } from "./AlarmQueue";
import { NO_FILTER, filterChoices, filterQueue, isFiltered, type AlarmFilter } from "./filters";
import { ALARM_EVENT_PREFIX, keepSelection, mergeAlarmEvent, replaceAlarm, shouldSound, sortQueue, stepSelection } from "./queue";
import { beep, unlockAudio } from "./sound";

const DEFAULT_SOUND_MAX_PRIORITY = 20;
const MUTE_KEY = "qorgau.alarms.muted";

/** The queue, loaded when the desk opens and whenever the event stream (re)connects, and its sound threshold. */
function useAlarmQueue() {
  const [soundMax, setSoundMax] = useState(DEFAULT_SOUND_MAX_PRIORITY);
  const load = useCallback(async (signal: AbortSignal) => {
    const [page, config] = await Promise.all([fetchAlarmQueue({ signal }), fetchAlarmConfig({ signal }).catch(() => null)]);
    if (config) setSoundMax(config.sound_max_priority);
    return sortQueue(page.items);
  }, []);
  const { value: queue, update, error } = useLiveLoad<AlarmItem[]>([], load);
  return { queue, update, soundMax, error };
}

export function AlarmsDesk() {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canHandle = hasPermission(user, "alarms:ack");
  const canOpenIncident = hasPermission(user, "incidents:write");
  const { queue, update, soundMax, error } = useAlarmQueue();
  const [chosen, setChosen] = useState<number | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [notice, setNotice] = useState<{ kind: "conflict" | "error"; text: string } | null>(null);
  const [muted, setMuted] = useState(() => localStorage.getItem(MUTE_KEY) === "1");
  const [filter, setFilter] = useState<AlarmFilter>(NO_FILTER);
  const [mode, setMode] = useState<"open" | "history">("open");
  const visible = useMemo(() => filterQueue(queue, filter), [queue, filter]);
  const choices = useMemo(() => filterChoices(queue), [queue]);
  const selectedId = keepSelection(visible, chosen);

  useLiveEventHandler((event) => {
    if (!event.name.startsWith(ALARM_EVENT_PREFIX)) return;
    update((q) => mergeAlarmEvent(q, event.payload, soundMax));
    if (!muted && shouldSound(event.name, event.payload, soundMax)) beep();
    if (event.payload.alarm_id === selectedId) setDetailVersion((v) => v + 1);
  });

  const acknowledge = useCallback(
    async (id: number) => {
      unlockAudio();
      setBusyId(id);
      setNotice(null);
      try {
        const alarm = await acknowledgeAlarm(id);
        update((q) => replaceAlarm(q, alarm));
        setChosen(id);
      } catch (e) {
        if (isApiError(e) && e.code === "alarms.already_acknowledged") {
          const by = typeof e.problem?.acknowledged_by_name === "string" ? e.problem.acknowledged_by_name : "—";
          const at = typeof e.problem?.acknowledged_at === "string" ? formatInstant(e.problem.acknowledged_at, { timeZone }) : "—";
          setNotice({ kind: "conflict", text: t("alarms.conflict", { id, by, at }) });
          update((q) => q.map((a) => (a.id === id ? { ...a, state: "acknowledged", acknowledged_by_name: by, allowed: ["resolve"] } : a)));
        } else {
          setNotice({ kind: "error", text: describeError(e, tMaybe).message });
        }
      } finally {
        setBusyId(null);
        setDetailVersion((v) => v + 1);
      }
    },
    [update, t, tMaybe, timeZone],
  );

  // Keys act on the queue as filtered and the selection as rendered last (the registry calls the latest `run`).
  const step = (delta: 1 | -1) => setChosen(stepSelection(visible, selectedId, delta));
  const ackSelected = () => {
    const alarm = visible.find((a) => a.id === selectedId);
    if (canHandle && alarm?.state === "new") void acknowledge(alarm.id);
  };
  const keys: Shortcut[] = [
    { keys: "j", label: "shortcuts.next", scope: "desk", run: () => step(1) },
    { keys: "ArrowDown", label: "shortcuts.next", scope: "desk", run: () => step(1) },
    { keys: "k", label: "shortcuts.previous", scope: "desk", run: () => step(-1) },
    { keys: "ArrowUp", label: "shortcuts.previous", scope: "desk", run: () => step(-1) },
    { keys: "h", label: mode === "open" ? "shortcuts.history" : "shortcuts.queue", scope: "desk",
      run: () => setMode((m) => (m === "open" ? "history" : "open")) },
  ];
  if (canHandle) keys.push({ keys: "a", label: "shortcuts.acknowledge", scope: "desk", run: ackSelected });
  useShortcuts(mode === "open" ? keys : keys.filter((k) => k.keys === "h"));

  const unacknowledged = useMemo(() => queue.filter((a) => a.state === "new").length, [queue]);

  const actions = (
    <Group gap="sm">
      <SegmentedControl
        size="xs"
        value={mode}
        onChange={(v) => setMode(v as "open" | "history")}
        data={[{ value: "open", label: t("alarms.history.open") }, { value: "history", label: t("alarms.history.tab") }]}
        data-testid="alarm-mode"
      />
      <Badge color={unacknowledged > 0 ? "red" : "gray"} data-testid="alarm-count" data-count={unacknowledged}>
        {t("alarms.unacknowledged", { count: unacknowledged })}
      </Badge>
      <Switch
        size="sm"
        checked={!muted}
        label={t("alarms.sound")}
        data-testid="alarm-sound-toggle"
        onChange={(e) => {
          const on = e.currentTarget.checked;
          if (on) unlockAudio();
          localStorage.setItem(MUTE_KEY, on ? "0" : "1");
          setMuted(!on);
        }}
      />
    </Group>
  );

  return (
    <DeskPage title={t("nav.alarms")} actions={actions}>
      <div data-testid="alarms-desk" onClick={unlockAudio}>
        {error !== null && <Alert color="red" mb="xs" data-testid="alarms-error">{describeError(error, tMaybe).message}</Alert>}
        {notice && (
          <Alert color={notice.kind === "conflict" ? "orange" : "red"} mb="xs" withCloseButton onClose={() => setNotice(null)} data-testid={notice.kind === "conflict" ? "alarm-conflict" : "alarm-error"}>
            {notice.text}
          </Alert>
        )}
        <VoicePanel />
        {mode === "history" ? <AlarmHistory kinds={choices.kinds} /> : (
        <Grid gutter="sm">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <AlarmFilters filter={filter} kinds={choices.kinds} sites={choices.sites} onChange={setFilter} />
            {isFiltered(filter) && (
              <Text size="xs" c="dimmed" mb={4} data-testid="alarm-filter-shown">
                {t("alarms.filter.shown", { shown: visible.length, total: queue.length })}
              </Text>
            )}
            <AlarmQueue queue={visible} selectedId={selectedId} canAcknowledge={canHandle} busyId={busyId} onSelect={setChosen} onAcknowledge={(id) => void acknowledge(id)} />
            {canHandle && queue.length > 0 && (
              <Text size="xs" c="dimmed" mt={6}>{t("alarms.shortcutHint")}</Text>
            )}
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {selectedId !== null && (
              <AlarmDetailPanel
                alarmId={selectedId}
                version={detailVersion}
                canHandle={canHandle}
                canOpenIncident={canOpenIncident}
                acknowledging={busyId === selectedId}
                onAcknowledge={() => void acknowledge(selectedId)}
                onChanged={(alarm) => {
                  update((q) => replaceAlarm(q, alarm));
                  setDetailVersion((v) => v + 1);
                }}
              />
            )}
          </Grid.Col>
        </Grid>
        )}
      </div>
    </DeskPage>
  );
}
