import { Alert, Anchor, Badge, Button, Group, Loader, Modal, Paper, Stack, Table, Text, TextInput, Textarea } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../../api/problem";
import { createExport, exportDownloadUrl, fetchExports, fetchTimeline, type ExportState, type VideoExport } from "../../api/video";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { commonRecorded } from "../../video/segments";
import { fromLocalInput, toLocalInput } from "./localTime";

const EXPORT_COLORS: Record<ExportState, string> = { pending: "gray", running: "blue", done: "green", failed: "red" };
const POLL_MS = 2000;
/** The server asks for a reason of at least this many characters. */
const MIN_REASON = 5;

/** The export dialog: the playback's cameras, the part of its range they all recorded (editable), a required reason. */
export function ExportDialog({ onClose, cameras, fromMs, toMs, onCreated }: { onClose: () => void; cameras: readonly string[]; fromMs: number; toMs: number; onCreated: (e: VideoExport) => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [reason, setReason] = useState("");
  const [fromText, setFromText] = useState<string | null>(null);
  const [toText, setToText] = useState<string | null>(null);
  const [none, setNone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // An export must lie within each camera's recording: start from what they all recorded of the playback range.
  useEffect(() => {
    const controller = new AbortController();
    const range = { from: new Date(fromMs).toISOString(), to: new Date(Math.min(toMs, Date.now())).toISOString() };
    Promise.all(cameras.map((code) => fetchTimeline(code, range, { signal: controller.signal })))
      .then((lines) => {
        const common = commonRecorded(lines.map((l) => l.recorded), fromMs, toMs);
        setNone(common === null);
        // The inputs hold whole seconds: round inwards so the range stays within the recording.
        setFromText(toLocalInput(Math.ceil((common?.fromMs ?? fromMs) / 1000) * 1000, timeZone));
        setToText(toLocalInput(Math.floor((common?.toMs ?? Math.min(toMs, Date.now())) / 1000) * 1000, timeZone));
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) {
          setError(e);
          setFromText(toLocalInput(fromMs, timeZone));
          setToText(toLocalInput(Math.min(toMs, Date.now()), timeZone));
        }
      });
    return () => controller.abort();
  }, [cameras, fromMs, toMs, timeZone]);

  const start = fromLocalInput(fromText ?? "", timeZone);
  const end = fromLocalInput(toText ?? "", timeZone);
  const valid = Number.isFinite(start) && Number.isFinite(end) && end > start;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await createExport({ cameras: [...cameras], from: new Date(start).toISOString(), to: new Date(end).toISOString(), reason: reason.trim() });
      onCreated(created);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t("video.export.title")} data-testid="export-dialog">
      <Stack gap="xs">
        <Text size="sm"><b>{t("video.export.cameras")}:</b> <span className="mono">{cameras.join(", ")}</span></Text>
        {fromText === null ? <Loader size="sm" /> : (
          <Group grow>
            <TextInput size="xs" type="datetime-local" step={1} label={t("video.playback.from")} value={fromText} onChange={(e) => setFromText(e.currentTarget.value)} data-testid="export-from" />
            <TextInput size="xs" type="datetime-local" step={1} label={t("video.export.to")} value={toText ?? ""} onChange={(e) => setToText(e.currentTarget.value)} data-testid="export-to" />
          </Group>
        )}
        {none && <Alert color="orange" py={4} data-testid="export-nothing">{t("video.export.nothingRecorded")}</Alert>}
        <Textarea label={t("video.export.reason")} description={t("video.export.reasonHint")} required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="export-reason" />
        {error !== null && <Alert color="red" py={4} data-testid="export-error">{describeError(error, tMaybe).message}</Alert>}
        <Group justify="flex-end">
          <Button onClick={() => void submit()} loading={busy} disabled={reason.trim().length < MIN_REASON || !valid} data-testid="export-submit">{t("video.export.submit")}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The user's exports, newest first, with their state and a download link when done; polled while any is in progress. */
export function ExportsList({ version }: { version: number }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [items, setItems] = useState<VideoExport[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const busy = items?.some((e) => e.state === "pending" || e.state === "running") ?? false;

  useEffect(() => {
    const controller = new AbortController();
    fetchExports({ signal: controller.signal })
      .then((list) => {
        setItems(list);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [version, tick]);

  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, items]);

  return (
    <Paper withBorder p="xs" data-testid="exports">
      <Text fw={600} size="sm" mb={4}>{t("video.export.list")}</Text>
      {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
      {items?.length === 0 && <Text size="sm" c="dimmed">{t("video.export.none")}</Text>}
      {items && items.length > 0 && (
        <Table fz="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("video.export.created")}</Table.Th>
              <Table.Th>{t("video.export.cameras")}</Table.Th>
              <Table.Th>{t("video.export.range")}</Table.Th>
              <Table.Th>{t("video.export.reason")}</Table.Th>
              <Table.Th>{t("video.export.state")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id} data-testid="export-row" data-id={item.id} data-state={item.state}>
                <Table.Td className="tabular">{formatInstant(item.created_at, { timeZone, withDate: true })}</Table.Td>
                <Table.Td className="mono">{item.cameras.join(", ")}</Table.Td>
                <Table.Td className="tabular">{formatInstant(item.from, { timeZone, withDate: true })} — {formatInstant(item.to, { timeZone })}</Table.Td>
                <Table.Td>{item.reason}</Table.Td>
                <Table.Td>
                  <Badge size="xs" color={EXPORT_COLORS[item.state] ?? "gray"}>{t(`video.export.states.${item.state}` as MessageKey)}</Badge>
                  {item.error && <Text size="xs" c="red" data-testid="export-row-error">{item.error_message ?? tMaybe(item.error) ?? item.error}</Text>}
                </Table.Td>
                <Table.Td>
                  {item.state === "done" && (
                    <Anchor href={exportDownloadUrl(item.id)} download data-testid="export-download">{t("video.export.download")}</Anchor>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
