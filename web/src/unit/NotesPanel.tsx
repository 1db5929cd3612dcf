import { Alert, Button, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { describeError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import { addAssignmentNote } from "./api";
import type { IncidentNote } from "../api/incidents";

export const MAX_NOTE = 4000;
const SHOWN = 5;

/** The incident's latest notes and a box to add one (it goes to the incident's timeline). */
export function NotesPanel({ assignmentId, notes, onSent }: { assignmentId: number; notes: IncidentNote[]; onSent: () => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<IncidentNote[]>([]);

  const shown = [...notes, ...sent.filter((s) => !notes.some((n) => n.id === s.id))]
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .slice(0, SHOWN);

  const submit = async () => {
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    setError(null);
    try {
      const note = await addAssignmentNote(assignmentId, body.slice(0, MAX_NOTE));
      setSent((s) => [...s, note]);
      setText("");
      onSent();
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="unit-card" data-testid="notes-panel">
      <Stack gap="sm">
        <div className="unit-label">{t("unit.notes.title")}</div>
        {shown.length === 0 ? (
          <Text c="dimmed">{t("unit.notes.empty")}</Text>
        ) : (
          <Stack gap={6} data-testid="notes-list">
            {shown.map((note) => (
              <div key={note.id} data-testid="note-item">
                <Text size="sm" c="dimmed">
                  {formatInstant(note.at, { timeZone, withSeconds: false })}
                </Text>
                <Text style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{note.text}</Text>
              </div>
            ))}
          </Stack>
        )}
        {error != null && (
          <Alert data-testid="note-error" color="red" variant="light" py="xs">
            {describeError(error, tMaybe).message}
          </Alert>
        )}
        <Textarea
          data-testid="note-input"
          aria-label={t("unit.notes.placeholder")}
          placeholder={t("unit.notes.placeholder")}
          size="lg"
          autosize
          minRows={2}
          maxLength={MAX_NOTE}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <Button data-testid="note-submit" size="lg" loading={sending} disabled={text.trim() === ""} onClick={() => void submit()}>
          {t("unit.notes.send")}
        </Button>
      </Stack>
    </div>
  );
}
