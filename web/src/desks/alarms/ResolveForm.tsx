import { Button, Group, SegmentedControl, Stack, Textarea } from "@mantine/core";
import { useState } from "react";
import type { AlarmResolution } from "../../api/alarms";
import { useI18n } from "../../i18n/I18nProvider";

/** Resolve an acknowledged alarm as confirmed, false or test, with a note. */
export function ResolveForm({ onResolve }: { onResolve: (resolution: AlarmResolution, note: string | null) => Promise<void> }) {
  const { t } = useI18n();
  const [resolution, setResolution] = useState<AlarmResolution>("confirmed");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await onResolve(resolution, note.trim() || null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs" data-testid="alarm-resolve-form">
      <SegmentedControl
        size="xs"
        value={resolution}
        onChange={(v) => setResolution(v as AlarmResolution)}
        data={(["confirmed", "false", "test"] as const).map((value) => ({
          value,
          label: <span data-testid={`alarm-resolution-${value}`}>{t(`alarms.resolution.${value}`)}</span>,
        }))}
      />
      <Textarea
        size="xs"
        autosize
        minRows={1}
        placeholder={t("alarms.resolveNote")}
        aria-label={t("alarms.resolveNote")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        data-testid="alarm-resolve-note"
      />
      <Group justify="flex-end">
        <Button size="xs" loading={busy} onClick={() => void submit()} data-testid="alarm-resolve">
          {t("alarms.resolve")}
        </Button>
      </Group>
    </Stack>
  );
}
