import { Alert, Badge, Button, Group, Paper, ScrollArea, Select, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { fetchAlarmHistory, type AlarmItem } from "../../api/alarms";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { useShortcuts } from "../../shell/useShortcuts";
import { PRIORITY_BANDS } from "./filters";
import { priorityColor } from "./queue";

const SEARCH_DELAY_MS = 300;

function HistoryRow({ alarm }: { alarm: AlarmItem }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  return (
    <Paper withBorder p="xs" data-testid="alarm-history-row" data-id={alarm.id}
      style={{ borderLeft: `6px solid var(--mantine-color-${priorityColor(alarm.priority)}-6)` }}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap">
            <Badge color={priorityColor(alarm.priority)} size="sm">P{alarm.priority}</Badge>
            <Text fw={600} size="sm" truncate>{tMaybe(`alarms.kind.${alarm.kind}`) ?? alarm.kind}</Text>
            <Text size="xs" c="dimmed" className="mono">#{alarm.id}</Text>
          </Group>
          <Text size="xs" c="dimmed" truncate>
            <span className="mono">{alarm.device_code ?? "—"}</span> · {alarm.site_code ?? "—"} ·{" "}
            <span className="tabular">{formatInstant(alarm.first_at, { timeZone })}</span>
            {alarm.resolved_at && <> → <span className="tabular">{formatInstant(alarm.resolved_at, { timeZone })}</span></>}
          </Text>
          {alarm.resolution_note && <Text size="xs" truncate>{alarm.resolution_note}</Text>}
        </Stack>
        <Stack gap={2} align="flex-end">
          {alarm.resolution && <Badge variant="light" size="sm">{t(`alarms.resolution.${alarm.resolution}` as MessageKey)}</Badge>}
          <Text size="xs" c="dimmed">{alarm.acknowledged_by_name ?? ""}</Text>
        </Stack>
      </Group>
    </Paper>
  );
}

/** Closed alarms searched on the server, a page at a time. */
export function AlarmHistory({ kinds }: { kinds: readonly string[] }) {
  const { t, tMaybe } = useI18n();
  const [text, setText] = useState("");
  const [kind, setKind] = useState<string | null>(null);
  const [maxPriority, setMaxPriority] = useState<number | null>(null);
  const [items, setItems] = useState<AlarmItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const search = useRef<HTMLInputElement>(null);
  useShortcuts([{ keys: "/", label: "shortcuts.search", scope: "desk", run: () => search.current?.focus() }]);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      fetchAlarmHistory({ q: text, kind, maxPriority }, { signal: controller.signal })
        .then((page) => {
          setItems(page.items);
          setNext(page.next_cursor);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(e);
        })
        .finally(() => setLoading(false));
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, kind, maxPriority]);

  const more = () => {
    if (!next) return;
    setLoading(true);
    fetchAlarmHistory({ q: text, kind, maxPriority, cursor: next })
      .then((page) => {
        setItems((have) => [...have, ...page.items]);
        setNext(page.next_cursor);
      })
      .catch(setError)
      .finally(() => setLoading(false));
  };

  return (
    <Stack gap={6} data-testid="alarm-history">
      <Group gap={6}>
        <TextInput ref={search} size="xs" w={260} placeholder={t("alarms.history.search")} aria-label={t("alarms.history.search")}
          value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="alarm-history-search" />
        <Select size="xs" w={160} clearable searchable placeholder={t("alarms.filter.kind")} aria-label={t("alarms.filter.kind")}
          data={kinds.map((k) => ({ value: k, label: tMaybe(`alarms.kind.${k}`) ?? k }))} value={kind} onChange={setKind} />
        <Select size="xs" w={120} clearable placeholder={t("alarms.filter.priority")} aria-label={t("alarms.filter.priority")}
          data={PRIORITY_BANDS.map((p) => ({ value: String(p), label: t("alarms.filter.upTo", { priority: p }) }))}
          value={maxPriority === null ? null : String(maxPriority)} onChange={(v) => setMaxPriority(v ? Number(v) : null)} />
      </Group>
      {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
      <ScrollArea.Autosize mah="calc(100dvh - 230px)" type="auto">
        <Stack gap={6}>
          {items.map((alarm) => <HistoryRow key={alarm.id} alarm={alarm} />)}
          {items.length === 0 && !loading && <Text c="dimmed" size="sm" data-testid="alarm-history-empty">{t("alarms.history.empty")}</Text>}
          {next && <Button size="xs" variant="light" loading={loading} onClick={more} data-testid="alarm-history-more">{t("alarms.history.more")}</Button>}
        </Stack>
      </ScrollArea.Autosize>
    </Stack>
  );
}
