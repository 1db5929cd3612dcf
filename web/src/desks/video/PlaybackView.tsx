import { Alert, Button, CloseButton, Group, Paper, Select, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { PlaybackPlayer, type PlaybackRequest } from "../../video/PlaybackPlayer";
import { ExportDialog } from "./ExportPanel";
import { fromLocalInput, toLocalInput } from "./localTime";

export const MAX_PLAYBACK_CAMERAS = 4;
const LENGTHS_MIN = [5, 15, 60, 240, 1440] as const;

export interface PlaybackViewProps {
  cameras: readonly string[];
  onCameras: (cameras: string[]) => void;
  range: { fromMs: number; toMs: number; startMs: number };
  onRange: (range: { fromMs: number; toMs: number; startMs: number }) => void;
  canExport: boolean;
  onExported: () => void;
}

/** Playback of up to four cameras over a chosen range, and the export of that range. */
export function PlaybackView({ cameras, onCameras, range, onRange, canExport, onExported }: PlaybackViewProps) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const [fromText, setFromText] = useState(() => toLocalInput(range.fromMs, timeZone));
  const [lengthMin, setLengthMin] = useState(() => String(Math.max(1, Math.round((range.toMs - range.fromMs) / 60_000))));
  const [exporting, setExporting] = useState(false);
  const request: PlaybackRequest = { cameras, fromMs: range.fromMs, toMs: range.toMs, startMs: range.startMs };
  const apply = () => {
    const fromMs = fromLocalInput(fromText, timeZone);
    if (!Number.isFinite(fromMs)) return;
    onRange({ fromMs, toMs: fromMs + Number(lengthMin) * 60_000, startMs: fromMs });
  };
  const lengths = LENGTHS_MIN.map(String).includes(lengthMin) ? LENGTHS_MIN.map(String) : [lengthMin, ...LENGTHS_MIN.map(String)];

  return (
    <Stack gap="xs" data-testid="playback-view">
      <Paper withBorder p="xs">
        <Group gap="xs" wrap="wrap" align="flex-end">
          <Group gap={4} data-testid="playback-cameras">
            {cameras.length === 0 && <Text size="sm" c="dimmed">{t("video.playback.pickCameras")}</Text>}
            {cameras.map((code) => (
              <Group key={code} gap={0} px={6} bg="var(--mantine-color-default-hover)" style={{ borderRadius: 4 }}>
                <Text size="xs" className="mono">{code}</Text>
                <CloseButton size="xs" onClick={() => onCameras(cameras.filter((c) => c !== code))} aria-label={t("video.wall.clear")} />
              </Group>
            ))}
          </Group>
          <TextInput size="xs" type="datetime-local" step={1} label={t("video.playback.from")} value={fromText} onChange={(e) => setFromText(e.currentTarget.value)} data-testid="playback-from" />
          <Select size="xs" w={110} label={t("video.playback.length")} value={lengthMin} onChange={(v) => v && setLengthMin(v)} data={lengths.map((m) => ({ value: m, label: t("video.playback.minutes", { count: m }) }))} data-testid="playback-length" />
          <Button size="xs" variant="light" onClick={apply} data-testid="playback-apply">{t("video.playback.open")}</Button>
          {canExport && cameras.length > 0 && (
            <Button size="xs" variant="default" onClick={() => setExporting(true)} data-testid="export-open">{t("video.export.open")}</Button>
          )}
        </Group>
      </Paper>
      {cameras.length > MAX_PLAYBACK_CAMERAS && <Alert color="orange" py={4}>{t("video.playback.tooMany", { count: MAX_PLAYBACK_CAMERAS })}</Alert>}
      {cameras.length > 0 && <PlaybackPlayer key={`${cameras.join(",")}|${range.fromMs}|${range.toMs}|${range.startMs}`} request={request} />}
      {exporting && <ExportDialog onClose={() => setExporting(false)} cameras={cameras} fromMs={range.fromMs} toMs={range.toMs} onCreated={onExported} />}
    </Stack>
  );
}
