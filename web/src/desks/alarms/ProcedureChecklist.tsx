import { Badge, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import type { StepProgress, StepState, Texts } from "../../api/alarms";
import { useI18n } from "../../i18n/I18nProvider";
import type { Language } from "../../i18n/languages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

export function localText(texts: Texts | null | undefined, lang: Language): string | null {
  return texts ? (texts[lang] ?? texts.ru ?? texts.en) : null;
}

function StepRow({ step, editable, onMark }: {
  step: StepProgress;
  editable: boolean;
  onMark: (state: StepState, note: string | null) => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const { timeZone } = useMeta();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const mark = async (state: StepState) => {
    setBusy(true);
    try {
      await onMark(state, note.trim() || null);
      setNote("");
    } finally {
      setBusy(false);
    }
  };
  const color = step.state === "done" ? "green" : step.state === "skipped" ? "gray" : "yellow";
  return (
    <Stack gap={4} data-testid="alarm-step" data-key={step.key} data-state={step.state ?? "open"}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" td={step.state === "skipped" ? "line-through" : undefined}>
          {localText(step.text, lang) ?? step.key}
        </Text>
        <Badge size="sm" color={color} variant="light">
          {t(step.state === "done" ? "alarms.step.done" : step.state === "skipped" ? "alarms.step.skipped" : "alarms.step.open")}
        </Badge>
      </Group>
      {step.state ? (
        <Text size="xs" c="dimmed">
          {step.by_label ?? step.by_name ?? "—"} · {step.at ? formatInstant(step.at, { timeZone }) : "—"}
          {step.note ? ` · ${step.note}` : ""}
        </Text>
      ) : (
        editable && (
          <Group gap="xs" wrap="nowrap">
            <TextInput
              size="xs"
              style={{ flex: 1 }}
              placeholder={t("alarms.step.note")}
              aria-label={t("alarms.step.note")}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              data-testid="alarm-step-note"
            />
            <Button size="compact-xs" color="green" loading={busy} onClick={() => void mark("done")} data-testid="alarm-step-done">
              {t("alarms.step.markDone")}
            </Button>
            <Button size="compact-xs" variant="default" disabled={busy} onClick={() => void mark("skipped")} data-testid="alarm-step-skip">
              {t("alarms.step.skip")}
            </Button>
          </Group>
        )
      )}
    </Stack>
  );
}

/** The procedure's steps in order, each ticked done or skipped with an optional note. */
export function ProcedureChecklist({ title, steps, progress, editable, onMark }: {
  title: string | null;
  steps: readonly StepProgress[];
  progress: { done: number; skipped: number; total: number };
  editable: boolean;
  onMark: (key: string, state: StepState, note: string | null) => Promise<void>;
}) {
  const { t } = useI18n();
  if (steps.length === 0) return <Text size="sm" c="dimmed">{t("alarms.noProcedure")}</Text>;
  return (
    <Stack gap="xs" data-testid="alarm-procedure">
      <Group justify="space-between">
        <Text fw={600} size="sm">{title ?? t("alarms.procedure")}</Text>
        <Text size="xs" c="dimmed" data-testid="alarm-progress">
          {t("alarms.progress", { done: progress.done + progress.skipped, total: progress.total })}
        </Text>
      </Group>
      {steps.map((step) => (
        <StepRow key={step.key} step={step} editable={editable} onMark={(state, note) => onMark(step.key, state, note)} />
      ))}
    </Stack>
  );
}
