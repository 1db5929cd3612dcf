import { Alert, Box, Button, Group, Loader, SegmentedControl, SimpleGrid, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { fetchTimeline, openPlayback, type PlaybackSession } from "../api/video";
import { describeError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import { needsSync } from "./buffer";
import { IconStepBack, IconStepForward } from "./icons";
import { SegmentPlayer } from "./segmentPlayer";
import { SPEEDS, frameDuration, toSpans } from "./segments";
import { Timeline, type TimelineRow } from "./Timeline";

export interface PlaybackRequest {
  cameras: readonly string[];
  fromMs: number;
  toMs: number;
  /** Where to start (default: fromMs). */
  startMs?: number;
}

const SYNC_MS = 250;

/** Loads a playback session (segments per camera) and the time lines; null while loading. */
function usePlayback(request: PlaybackRequest) {
  const { cameras, fromMs, toMs } = request;
  const key = cameras.join(",");
  const [state, setState] = useState<{ key: string; session: PlaybackSession | null; rows: TimelineRow[]; error: unknown }>({ key: "", session: null, rows: [], error: null });
  useEffect(() => {
    const controller = new AbortController();
    const codes = key.split(",").filter(Boolean);
    const range = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
    const id = `${key}|${fromMs}|${toMs}`;
    openPlayback({ cameras: codes, ...range }, { signal: controller.signal })
      .then(async (session) => {
        const timelines = await Promise.all(codes.map((code) => fetchTimeline(code, range, { signal: controller.signal }).catch(() => null)));
        setState({ key: id, session, rows: codes.map((code, i) => ({ code, timeline: timelines[i] })), error: null });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ key: id, session: null, rows: [], error });
      });
    return () => controller.abort();
  }, [key, fromMs, toMs]);
  return state.key === `${key}|${fromMs}|${toMs}` ? state : { key: "", session: null, rows: [], error: null };
}

/** Synchronised playback of up to four cameras: one master clock (the first), the others corrected when they drift. */
export function PlaybackPlayer({ request }: { request: PlaybackRequest }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { session, rows, error } = usePlayback(request);
  const { fromMs, toMs } = request;
  const videoRefs = useRef<(HTMLVideoElement | null)[]>([]);
  const playersRef = useRef<SegmentPlayer[]>([]);
  const [cursorMs, setCursorMs] = useState(request.startMs ?? fromMs);
  const [paused, setPaused] = useState(true);
  const [speed, setSpeed] = useState<number>(1);
  const [segmentError, setSegmentError] = useState<unknown>(null);
  const startMs = request.startMs ?? fromMs;

  useEffect(() => {
    if (!session) return;
    const players = session.cameras.slice(0, 4).flatMap((camera, i) => {
      const video = videoRefs.current[i];
      return video ? [new SegmentPlayer(video, toSpans(camera.segments, fromMs), setSegmentError)] : [];
    });
    playersRef.current = players;
    for (const p of players) p.seek((startMs - fromMs) / 1000);
    const timer = setInterval(() => {
      const [master, ...followers] = playersRef.current;
      if (!master) return;
      const time = master.video.currentTime;
      for (const f of followers) {
        if (f.video.paused !== master.video.paused) {
          if (master.video.paused) f.video.pause();
          else f.video.play().catch(() => undefined);
        }
        if (!master.video.seeking && needsSync(time, f.video.currentTime)) f.seek(time);
      }
      setCursorMs(fromMs + Math.round(time * 1000));
      setPaused(master.video.paused);
    }, SYNC_MS);
    return () => {
      clearInterval(timer);
      for (const p of players) p.destroy();
      playersRef.current = [];
    };
  }, [session, fromMs, startMs]);

  const all = (fn: (p: SegmentPlayer) => void) => playersRef.current.forEach(fn);
  const seekTo = (ms: number) => {
    all((p) => p.seek((ms - fromMs) / 1000));
    setCursorMs(ms);
  };
  const togglePlay = () => {
    const master = playersRef.current[0];
    if (!master) return;
    if (master.video.paused) all((p) => void p.video.play().catch(() => undefined));
    else all((p) => p.video.pause());
  };
  const changeSpeed = (value: number) => {
    setSpeed(value);
    all((p) => {
      p.video.playbackRate = value;
    });
  };
  const step = (direction: 1 | -1) => {
    const master = playersRef.current[0];
    if (!master) return;
    all((p) => p.video.pause());
    const time = Math.max(0, master.video.currentTime + direction * frameDuration(master.spans, master.video.currentTime));
    all((p) => {
      p.video.currentTime = time;
    });
    setCursorMs(fromMs + Math.round(time * 1000));
  };

  if (error) return <Alert color="red" data-testid="playback-error">{describeError(error, tMaybe).message}</Alert>;
  if (!session) return <Loader size="sm" data-testid="playback-loading" />;
  const cameras = session.cameras.slice(0, 4);
  return (
    <Box data-testid="playback" data-cursor-ms={cursorMs}>
      <SimpleGrid cols={cameras.length > 1 ? 2 : 1} spacing={4} mb="xs">
        {cameras.map((camera, i) => (
          <Box key={camera.camera} pos="relative" bg="black" style={{ aspectRatio: "16 / 9", maxHeight: cameras.length > 1 ? "34vh" : "62vh", width: "100%" }} data-testid="playback-tile" data-code={camera.camera}>
            <video
              ref={(el) => {
                videoRefs.current[i] = el;
              }}
              muted
              playsInline
              style={{ width: "100%", height: "100%", objectFit: "contain", display: "block" }}
              data-testid="playback-video"
            />
            <Text pos="absolute" top={4} left={6} size="xs" c="gray.3" className="mono">{camera.camera}</Text>
            {camera.segments.length === 0 && (
              <Text pos="absolute" top="45%" w="100%" ta="center" size="sm" c="gray.4" data-testid="playback-no-recording">{t("video.playback.noRecording")}</Text>
            )}
          </Box>
        ))}
      </SimpleGrid>
      <Group gap="xs" mb={6} wrap="wrap">
        <Button size="compact-sm" variant="default" onClick={() => step(-1)} aria-label={t("video.playback.frameBack")} data-testid="playback-step-back"><IconStepBack /></Button>
        <Button size="compact-sm" onClick={togglePlay} data-testid="playback-toggle">{paused ? t("video.playback.play") : t("video.playback.pause")}</Button>
        <Button size="compact-sm" variant="default" onClick={() => step(1)} aria-label={t("video.playback.frameForward")} data-testid="playback-step-forward"><IconStepForward /></Button>
        <SegmentedControl
          size="xs"
          value={String(speed)}
          onChange={(v) => changeSpeed(Number(v))}
          data={SPEEDS.map((s) => ({ value: String(s), label: `×${s}` }))}
          data-testid="playback-speed"
        />
        <Text size="sm" className="tabular mono" data-testid="playback-time" data-ms={cursorMs}>
          {formatInstant(cursorMs, { timeZone, withDate: true })}
        </Text>
      </Group>
      {segmentError !== null && <Alert color="orange" py={4} mb={6} data-testid="playback-segment-error">{t("video.playback.segmentFailed")}</Alert>}
      <Timeline rows={rows} fromMs={fromMs} toMs={toMs} cursorMs={cursorMs} onSeek={seekTo} />
    </Box>
  );
}
