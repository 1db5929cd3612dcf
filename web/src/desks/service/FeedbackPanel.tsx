import { Alert, Badge, Button, Code, CopyButton, Group, NumberInput, Paper, SegmentedControl, SimpleGrid, Stack, Text, Textarea, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import type { ReportPeriod } from "../../api/districtReports";
import { SCORES, enterFeedback, fetchFeedbackAnswers, issueFeedbackLink, type FeedbackLink, type FeedbackRead, type FeedbackSubject, type FeedbackSubjectKind } from "../../api/feedback";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

const SCORE_COLORS = ["", "red", "orange", "yellow", "lime", "teal"];

/** Instants bounding a period of local days, taken generously (a day each side) for the list of answers. */
function roughInstants(period: ReportPeriod): { start: Date; end: Date } {
  const day = 86_400_000;
  return { start: new Date(Date.parse(`${period.start}T00:00:00Z`) - day), end: new Date(Date.parse(`${period.end}T00:00:00Z`) + 2 * day) };
}

function Answers({ period, includeSimulated, reload }: { period: ReportPeriod; includeSimulated: boolean; reload: number }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [rows, setRows] = useState<FeedbackRead[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const { start, end } = roughInstants(period);
    fetchFeedbackAnswers(start, end, includeSimulated, { signal: controller.signal })
      .then((data) => { setRows(data); setError(null); })
      .catch((cause: unknown) => { if (!controller.signal.aborted) setError(describeError(cause, tMaybe).message); });
    return () => controller.abort();
  }, [period, includeSimulated, reload, tMaybe]);
  return (
    <Paper withBorder p="xs" data-testid="feedback-answers">
      <Title order={3} size="h6" mb={4}>{t("feedback.recent.title")}</Title>
      {error && <Alert color="red">{error}</Alert>}
      {rows.length === 0 && !error && <Text size="sm" c="dimmed">{t("feedback.recent.none")}</Text>}
      <Stack gap={6} mah={360} style={{ overflowY: "auto" }}>
        {rows.map((row) => (
          <Group key={row.id} gap="xs" wrap="nowrap" align="flex-start" data-testid="feedback-answer">
            <Badge color={SCORE_COLORS[row.score ?? 0]} variant="filled" w={28} px={0}>{row.score}</Badge>
            <Stack gap={0} style={{ flex: 1 }}>
              <Text size="xs" c="dimmed">
                {t(`feedback.recent.${row.subject_kind}` as MessageKey, { number: row.subject_number })}
                {" · "}
                {row.answered_at ? formatInstant(row.answered_at, { timeZone, withDate: true, withSeconds: false }) : ""}
                {" · "}
                {t(row.channel === "officer" ? "feedback.recent.byOfficer" : "feedback.recent.byLink")}
              </Text>
              {row.comment && <Text size="sm">{row.comment}</Text>}
            </Stack>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function EntryForm({ onSaved }: { onSaved: () => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [kind, setKind] = useState<FeedbackSubjectKind>("incident");
  const [id, setId] = useState<number | string>("");
  const [score, setScore] = useState<string>("5");
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [link, setLink] = useState<FeedbackLink | null>(null);
  const subject = (): FeedbackSubject => (kind === "appeal" ? { appeal_id: Number(id) } : { incident_id: Number(id) });
  const valid = typeof id === "number" && id >= 1;

  async function run(action: "save" | "link") {
    setBusy(true);
    setMessage(null);
    setLink(null);
    try {
      if (action === "save") {
        await enterFeedback(subject(), Number(score), comment.trim() || null);
        setMessage({ ok: true, text: t("feedback.enter.saved") });
        setComment("");
        onSaved();
      } else {
        setLink(await issueFeedbackLink(subject()));
      }
    } catch (cause: unknown) {
      setMessage({ ok: false, text: describeError(cause, tMaybe).message });
    } finally {
      setBusy(false);
    }
  }

  const url = link ? `${window.location.origin}${link.path}` : "";
  return (
    <Paper withBorder p="xs" data-testid="feedback-entry">
      <Title order={3} size="h6" mb={4}>{t("feedback.enter.title")}</Title>
      <Stack gap="xs">
        <Group gap="xs" align="flex-end">
          <SegmentedControl
            aria-label={t("feedback.enter.kind")}
            value={kind}
            onChange={(v) => setKind(v as FeedbackSubjectKind)}
            data={[{ value: "incident", label: t("feedback.enter.incident") }, { value: "appeal", label: t("feedback.enter.appeal") }]}
          />
          <NumberInput label={t("feedback.enter.id")} value={id} onChange={setId} min={1} allowDecimal={false} w={160} data-testid="feedback-subject-id" />
        </Group>
        <Stack gap={2}>
          <Text size="sm">{t("feedback.enter.score")}</Text>
          <SegmentedControl
            aria-label={t("feedback.enter.score")}
            value={score}
            onChange={setScore}
            data={SCORES.map((s) => ({ value: String(s), label: t(`feedback.score.${s}` as MessageKey) }))}
            data-testid="feedback-score"
          />
        </Stack>
        <Textarea label={t("feedback.enter.comment")} value={comment} onChange={(e) => setComment(e.currentTarget.value)} maxLength={1000} autosize minRows={2} />
        <Group gap="xs">
          <Button size="xs" disabled={!valid} loading={busy} onClick={() => void run("save")} data-testid="feedback-save">{t("feedback.enter.save")}</Button>
          <Button size="xs" variant="light" disabled={!valid} loading={busy} onClick={() => void run("link")} data-testid="feedback-link">{t("feedback.enter.link")}</Button>
        </Group>
        {message && <Alert color={message.ok ? "teal" : "red"} data-testid="feedback-message">{message.text}</Alert>}
        {link && (
          <Stack gap={2} data-testid="feedback-link-ready">
            <Text size="sm">{t("feedback.enter.linkReady", { until: formatInstant(link.expires_at, { timeZone, withDate: true, withSeconds: false }) })}</Text>
            <Group gap="xs" wrap="nowrap">
              <Code style={{ wordBreak: "break-all" }}>{url}</Code>
              <CopyButton value={url}>
                {({ copied, copy }) => <Button size="xs" variant="subtle" onClick={copy}>{copied ? t("feedback.enter.copied") : t("feedback.enter.copy")}</Button>}
              </CopyButton>
            </Group>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

/** The latest answers and, for those who answer residents, entering an answer or creating a one-time link. */
export function FeedbackPanel({ period, includeSimulated, canWrite, onSaved }: {
  period: ReportPeriod;
  includeSimulated: boolean;
  canWrite: boolean;
  onSaved: () => void;
}) {
  const [reload, setReload] = useState(0);
  return (
    <SimpleGrid cols={{ base: 1, md: canWrite ? 2 : 1 }} spacing="xs">
      <Answers period={period} includeSimulated={includeSimulated} reload={reload} />
      {canWrite && <EntryForm onSaved={() => { setReload((n) => n + 1); onSaved(); }} />}
    </SimpleGrid>
  );
}
