import { Alert, Button, Center, Group, Paper, SegmentedControl, Stack, Text, Textarea, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { SCORES, answerPublicFeedback, fetchPublicFeedback, type FeedbackPublic } from "../api/feedback";
import { describeError, isApiError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/messages";
import { LanguageSwitch } from "../shell/LanguageSwitch";
import { usePathname } from "../shell/router";

type PageState =
  | { kind: "loading" }
  | { kind: "open"; info: FeedbackPublic }
  | { kind: "done" }
  | { kind: "answered" }
  | { kind: "expired" }
  | { kind: "invalid" };

function tokenOf(pathname: string): string {
  return decodeURIComponent(pathname.replace(/^\/feedback\//, "").replace(/\/$/, ""));
}

/** A resident's page behind a one-time link (/feedback/<token>): no login, nothing personal, one answer. */
export default function PublicFeedbackPage() {
  const { t, tMaybe } = useI18n();
  const token = tokenOf(usePathname());
  const [state, setState] = useState<PageState>({ kind: "loading" });
  const [score, setScore] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = t("feedback.public.title");
  }, [t]);

  useEffect(() => {
    let cancelled = false;
    fetchPublicFeedback(token)
      .then((info) => {
        if (cancelled) return;
        setState(info.answered ? { kind: "answered" } : info.expired ? { kind: "expired" } : { kind: "open", info });
      })
      .catch(() => {
        if (!cancelled) setState({ kind: "invalid" });
      });
    return () => { cancelled = true; };
  }, [token]);

  async function send() {
    if (score === null) return;
    setSending(true);
    setError(null);
    try {
      await answerPublicFeedback(token, Number(score), comment.trim() || null);
      setState({ kind: "done" });
    } catch (cause: unknown) {
      if (isApiError(cause) && cause.status === 409) setState({ kind: "answered" });
      else if (isApiError(cause) && cause.status === 410) setState({ kind: "expired" });
      else setError(describeError(cause, tMaybe).message);
    } finally {
      setSending(false);
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="lg" maw={520} w="100%" data-testid="public-feedback">
        <Stack gap="md">
          <Group justify="space-between" wrap="nowrap">
            <Title order={1} size="h3">{t("feedback.public.title")}</Title>
            <LanguageSwitch compact />
          </Group>
          {state.kind === "loading" && <Text c="dimmed">…</Text>}
          {state.kind === "invalid" && <Alert color="red">{t("feedback.public.invalid")}</Alert>}
          {state.kind === "expired" && <Alert color="gray">{t("feedback.public.expired")}</Alert>}
          {state.kind === "answered" && <Alert color="teal">{t("feedback.public.answered")}</Alert>}
          {state.kind === "done" && <Alert color="teal" data-testid="public-feedback-thanks">{t("feedback.public.thanks")}</Alert>}
          {state.kind === "open" && (
            <>
              <Text size="sm" c="dimmed">
                {t(`feedback.public.about.${state.info.subject_kind}` as MessageKey, { number: state.info.subject_number })}
              </Text>
              <Text fw={600}>{t("feedback.public.question")}</Text>
              <SegmentedControl
                fullWidth
                aria-label={t("feedback.public.question")}
                value={score ?? ""}
                onChange={setScore}
                data={SCORES.map((s) => ({ value: String(s), label: String(s) }))}
                data-testid="public-feedback-score"
              />
              <Group justify="space-between">
                <Text size="xs" c="dimmed">{t("feedback.score.1")}</Text>
                <Text size="xs" c="dimmed">{t("feedback.score.5")}</Text>
              </Group>
              <Textarea label={t("feedback.public.comment")} value={comment} onChange={(e) => setComment(e.currentTarget.value)} maxLength={1000} autosize minRows={3} />
              {error && <Alert color="red">{error}</Alert>}
              <Button disabled={score === null} loading={sending} onClick={() => void send()} data-testid="public-feedback-send">{t("feedback.public.send")}</Button>
              <Text size="xs" c="dimmed">{t("feedback.public.anonymous")}</Text>
            </>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
