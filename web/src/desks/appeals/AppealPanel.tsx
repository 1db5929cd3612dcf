import { Alert, Badge, Button, Group, Paper, Select, Stack, Text, Textarea, TextInput, Timeline } from "@mantine/core";
import { useEffect, useState } from "react";
import { actOnAppeal, fetchAppeal, OPEN_APPEAL_STATES, type AppealActionName, type AppealDetail, type AppealSubject } from "../../api/appeals";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { deadlineLook } from "./deadline";
import { problemLines, subjectName } from "./names";

type Pending = Exclude<AppealActionName, "take" | "reassign"> | null;

/** One appeal (mount it with `key={id}` so that a new appeal starts hidden and with no action open): its text, deadline, timeline and attachments; the applicant behind a "show" button (the server
 * audits each view); take up, answer, extend (once) and transfer for those who may write. */
export function AppealPanel({ id, subjects, inspectors, onChanged }: {
  id: number;
  subjects: AppealSubject[];
  inspectors: { user_id: number; name: string }[];
  onChanged: () => void;
}) {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canWrite = hasPermission(user, PERMISSIONS.appealsWrite);
  const canSeePersonal = hasPermission(user, PERMISSIONS.appealsPersonal);
  const [appeal, setAppeal] = useState<AppealDetail | null>(null);
  const [personal, setPersonal] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [input, setInput] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchAppeal(id, personal, { signal: controller.signal }).then((found) => {
      setAppeal(found);
      setError(null);
    }).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [id, personal, version]);

  const act = (action: AppealActionName, inspectorId?: number) => {
    const body = action === "answer" ? { action, answer: input } : action === "extend" ? { action, reason: input }
      : action === "transfer" ? { action, transferred_to: input }
        : action === "reassign" ? { action, inspector_id: inspectorId } : { action };
    actOnAppeal(id, body).then(() => {
      setPending(null);
      setInput("");
      setVersion((v) => v + 1);
      onChanged();
    }).catch(setError);
  };

  if (!appeal) return error ? <Alert color="red">{describeError(error, tMaybe).message}</Alert> : null;
  const look = deadlineLook(appeal);
  const open = OPEN_APPEAL_STATES.includes(appeal.state);
  const when = (value: string) => formatInstant(value, { timeZone, withSeconds: false });
  const subject = subjects.find((s) => s.code === appeal.subject);
  const inputLabel = pending === "answer" ? t("appeals.action.answerText") : pending === "extend" ? t("appeals.action.reason") : t("appeals.action.body");

  return (
    <Stack gap="xs" data-testid="appeal-panel">
      <Group gap="xs">
        <Text fw={600}>{appeal.number}</Text>
        <Badge>{t(`appeals.state.${appeal.state}` as "appeals.state.registered")}</Badge>
        <Badge color={look.colour} data-testid="appeal-deadline">{t(look.key, { days: look.days })}</Badge>
        {appeal.simulated && <Badge color="gray">{t("appeals.simulated")}</Badge>}
      </Group>
      <Text size="sm">
        {subjectName(subject, lang)} · {t(`appeals.channel.${appeal.channel}` as "appeals.channel.phone")} · {when(appeal.registered_at)}
      </Text>
      <Text size="sm">{appeal.address}{appeal.district_number !== null && ` · ${t("appeals.col.district")} ${appeal.district_number}`}
        {appeal.routed_manually && ` (${t("appeals.manual")})`}</Text>
      <Text size="sm">{t("appeals.col.inspector")}: {appeal.inspector_name ?? "—"} · {t("appeals.col.deadline")}: {appeal.deadline}</Text>
      <Paper withBorder p="xs">
        <Text size="xs" c="dimmed">{t("appeals.detail.applicant")}</Text>
        {appeal.personal_shown ? (
          <Text size="sm" data-testid="appeal-applicant-shown">{appeal.applicant_name} · {appeal.applicant_contact ?? "—"}</Text>
        ) : (
          <Group gap="xs">
            <Text size="sm" c="dimmed">{t("appeals.detail.personalHidden")}</Text>
            {canSeePersonal && <Button size="compact-xs" variant="light" onClick={() => setPersonal(true)} data-testid="appeal-show-personal">{t("appeals.detail.showPersonal")}</Button>}
          </Group>
        )}
        {canSeePersonal && <Text size="xs" c="dimmed">{t("appeals.detail.personalAudited")}</Text>}
      </Paper>
      <Text size="xs" c="dimmed">{t("appeals.detail.text")}</Text>
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{appeal.text}</Text>
      {appeal.answer && <><Text size="xs" c="dimmed">{t("appeals.detail.answer")} · {appeal.answered_at && when(appeal.answered_at)}</Text><Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{appeal.answer}</Text></>}
      {appeal.extension_reason && <Text size="sm">{t("appeals.detail.extensionReason")}: {appeal.extension_reason}</Text>}
      {appeal.transferred_to && <Text size="sm">{t("appeals.detail.transferredTo")}: {appeal.transferred_to}</Text>}
      {error !== null && (
        <Alert color="red">{describeError(error, tMaybe).message}{problemLines(error, tMaybe).map((l) => <Text key={l} size="xs">{l}</Text>)}</Alert>
      )}
      {canWrite && open && (
        <Group gap="xs">
          {appeal.state === "registered" && <Button size="xs" variant="light" onClick={() => act("take")} data-testid="appeal-take">{t("appeals.action.take")}</Button>}
          <Button size="xs" onClick={() => setPending("answer")} data-testid="appeal-answer">{t("appeals.action.answer")}</Button>
          {!appeal.extended && <Button size="xs" variant="default" onClick={() => setPending("extend")}>{t("appeals.action.extend")}</Button>}
          <Button size="xs" variant="default" onClick={() => setPending("transfer")}>{t("appeals.action.transfer")}</Button>
          {inspectors.length > 0 && (
            <Select size="xs" w={200} placeholder={t("appeals.action.reassign")} value={null} data-testid="appeal-reassign"
              data={inspectors.filter((i) => i.user_id !== appeal.inspector_id).map((i) => ({ value: String(i.user_id), label: i.name }))}
              onChange={(v) => v && act("reassign", Number(v))} />
          )}
        </Group>
      )}
      {pending && (
        <Stack gap={4}>
          {pending === "transfer" ? <TextInput label={inputLabel} value={input} onChange={(e) => setInput(e.currentTarget.value)} />
            : <Textarea label={inputLabel} value={input} autosize minRows={2} onChange={(e) => setInput(e.currentTarget.value)} data-testid="appeal-action-input" />}
          <Group gap="xs">
            <Button size="xs" disabled={!input.trim()} onClick={() => act(pending)} data-testid="appeal-action-confirm">{t("appeals.action.confirm")}</Button>
            <Button size="xs" variant="default" onClick={() => setPending(null)}>{t("appeals.form.cancel")}</Button>
          </Group>
        </Stack>
      )}
      <Text size="xs" c="dimmed">{t("appeals.detail.timeline")}</Text>
      <Timeline bulletSize={10} lineWidth={2}>
        {appeal.timeline.map((e, i) => (
          <Timeline.Item key={i} title={<Text size="sm">{tMaybe(`appeals.entry.${e.kind}`) ?? e.kind}</Text>}>
            <Text size="xs" c="dimmed">{when(e.at)}{e.actor_name ? ` · ${e.actor_name}` : ""}{e.note ? ` · ${e.note}` : ""}</Text>
          </Timeline.Item>
        ))}
      </Timeline>
      <Text size="xs" c="dimmed">{t("appeals.detail.attachments")}</Text>
      {appeal.attachments.length === 0 ? <Text size="sm">{t("appeals.detail.noAttachments")}</Text> : appeal.attachments.map((a) => (
        <a key={a.id} href={`/api/appeals/${appeal.id}/attachments/${a.id}`} download={a.filename}>{a.filename} ({Math.ceil(a.size / 1024)} KB)</a>
      ))}
    </Stack>
  );
}
