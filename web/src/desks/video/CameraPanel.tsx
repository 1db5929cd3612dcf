import { ActionIcon, Alert, Badge, Group, HoverCard, Paper, ScrollArea, Select, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../../api/problem";
import { fetchCamera, fetchCameras, type CameraState, type StreamStatus, type VideoCamera, type VideoCameraDetail } from "../../api/video";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { IconSettings } from "../../video/icons";
import { formatInstant } from "../../shell/time";

export const STATES: readonly CameraState[] = ["streaming", "connecting", "idle", "auth_failed", "unreachable", "no_video", "unsupported"];

export const STATE_COLORS: Record<CameraState, string> = {
  streaming: "green",
  connecting: "blue",
  idle: "gray",
  auth_failed: "orange",
  unreachable: "red",
  no_video: "yellow",
  unsupported: "grape",
};

export function StateBadge({ state }: { state: CameraState }) {
  const { t } = useI18n();
  return (
    <Badge size="xs" variant="light" color={STATE_COLORS[state] ?? "gray"} data-testid="camera-state" data-state={state}>
      {t(`video.state.${state}` as MessageKey)}
    </Badge>
  );
}

function Figures({ status }: { status: StreamStatus }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const value = (v: number | string | null | undefined) => (v === null || v === undefined ? "—" : String(v));
  const rows: [MessageKey, string][] = [
    ["video.figures.codec", value(status.codec)],
    ["video.figures.resolution", status.width && status.height ? `${status.width}×${status.height}` : "—"],
    ["video.figures.fps", status.fps_in ? status.fps_in.toFixed(1) : "—"],
    ["video.figures.bitrate", status.bitrate_kbps ? `${Math.round(status.bitrate_kbps)} kbit/s` : "—"],
    ["video.figures.reconnects", value(status.reconnects)],
    ["video.figures.dropped", value(status.dropped_packets)],
    ["video.figures.lastFrame", status.last_frame_at ? formatInstant(status.last_frame_at, { timeZone, withDate: true }) : "—"],
    ["video.figures.viewers", value(status.viewers)],
  ];
  return (
    <Stack gap={0}>
      {rows.map(([key, v]) => (
        <Group key={key} justify="space-between" gap="md">
          <Text size="xs" c="dimmed">{t(key)}</Text>
          <Text size="xs" className="tabular">{v}</Text>
        </Group>
      ))}
    </Stack>
  );
}

/** Both streams' figures of one camera, loaded when the hover card opens. */
function CameraFigures({ code }: { code: string }) {
  const { t, tMaybe } = useI18n();
  const [detail, setDetail] = useState<VideoCameraDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchCamera(code, { signal: controller.signal })
      .then(setDetail)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [code]);
  if (error !== null) return <Text size="xs" c="red">{describeError(error, tMaybe).message}</Text>;
  if (!detail) return <Text size="xs" c="dimmed">…</Text>;
  return (
    <Stack gap={4} data-testid="camera-figures">
      <Text size="sm" fw={600}>{code}</Text>
      <Text size="xs" c="dimmed">{t(`video.settings.modes.${detail.recording_mode}`)} · {t("video.figures.retention", { days: detail.retention_days })}</Text>
      {detail.streams.map((status) => (
        <Stack key={status.stream} gap={2}>
          <Group gap={6}><Text size="xs" fw={600}>{t(`video.stream.${status.stream}`)}</Text><StateBadge state={status.state} /></Group>
          <Figures status={status} />
          {status.error && <Text size="xs" c="red">{status.error}</Text>}
        </Stack>
      ))}
      {detail.streams.length === 0 && <Text size="xs" c="dimmed">{t("video.figures.none")}</Text>}
    </Stack>
  );
}

/** The camera list: search, a state filter, state badges; figures on hover; click or drag a camera onto the wall. */
export function CameraPanel({ onPick, onSettings }: { onPick: (code: string) => void; onSettings?: (code: string) => void }) {
  const { t, tMaybe, lang } = useI18n();
  const [q, setQ] = useState("");
  const [state, setState] = useState<CameraState | "">("");
  const [cameras, setCameras] = useState<VideoCamera[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetchCameras({ q: q.trim() || undefined, state, limit: 200 }, { signal: controller.signal })
        .then((page) => {
          setCameras(page.items);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(e);
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, state]);

  return (
    <Paper withBorder p="xs" data-testid="camera-panel">
      <Stack gap="xs">
        <TextInput size="xs" placeholder={t("video.search")} value={q} onChange={(e) => setQ(e.currentTarget.value)} data-testid="camera-search" />
        <Select
          size="xs"
          clearable
          placeholder={t("video.allStates")}
          value={state || null}
          onChange={(v) => setState((v as CameraState | null) ?? "")}
          data={STATES.map((s) => ({ value: s, label: t(`video.state.${s}` as MessageKey) }))}
          data-testid="camera-state-filter"
        />
        {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
        {cameras?.length === 0 && <Text size="sm" c="dimmed" data-testid="camera-none">{t("video.noCameras")}</Text>}
        <ScrollArea.Autosize mah="calc(100vh - 260px)">
          <Stack gap={2}>
            {cameras?.map((camera) => (
              <HoverCard key={camera.code} position="right" openDelay={400} withinPortal>
                <HoverCard.Target>
                  <Group
                    justify="space-between"
                    wrap="nowrap"
                    gap={4}
                    px={4}
                    py={2}
                    className="video-camera-row"
                    style={{ cursor: "pointer", borderRadius: 4 }}
                    draggable
                    onDragStart={(e) => e.dataTransfer.setData("text/x-qorgau-camera", camera.code)}
                    onClick={() => onPick(camera.code)}
                    data-testid="video-camera"
                    data-code={camera.code}
                    data-state={camera.state}
                  >
                    <Text size="sm" truncate>
                      <span className="mono">{camera.code}</span> · {lang === "kk" ? camera.name_kk : camera.name_ru}
                    </Text>
                    <Group gap={2} wrap="nowrap">
                      <StateBadge state={camera.state} />
                      {onSettings && (
                        <ActionIcon
                          size="xs"
                          variant="subtle"
                          color="gray"
                          aria-label={t("video.settings.open")}
                          onClick={(e) => {
                            e.stopPropagation();
                            onSettings(camera.code);
                          }}
                          data-testid="camera-settings-open"
                        >
                          <IconSettings size={14} />
                        </ActionIcon>
                      )}
                    </Group>
                  </Group>
                </HoverCard.Target>
                <HoverCard.Dropdown>
                  <CameraFigures code={camera.code} />
                </HoverCard.Dropdown>
              </HoverCard>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Stack>
    </Paper>
  );
}
