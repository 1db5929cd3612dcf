import { Box, Text, Tooltip } from "@mantine/core";
import type { MouseEvent } from "react";
import type { CameraTimeline } from "../api/video";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import { fractionOf, instantAt } from "./segments";

export interface TimelineRow {
  code: string;
  timeline: CameraTimeline | null;
}

const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

/** Recorded ranges, gaps, alarm and incident markers of each camera over [fromMs, toMs]; a click seeks there. */
export function Timeline({ rows, fromMs, toMs, cursorMs, onSeek }: { rows: readonly TimelineRow[]; fromMs: number; toMs: number; cursorMs: number; onSeek: (ms: number) => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const click = (event: MouseEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    onSeek(instantAt((event.clientX - box.left) / box.width, fromMs, toMs));
  };
  const span = (from: string, to: string) => {
    const a = fractionOf(Date.parse(from), fromMs, toMs);
    const b = fractionOf(Date.parse(to), fromMs, toMs);
    return { left: pct(a), width: pct(Math.max(0.002, b - a)) };
  };
  return (
    <Box>
      <Box
        pos="relative"
        onClick={click}
        style={{ cursor: "pointer", userSelect: "none" }}
        data-testid="playback-timeline"
        data-from-ms={fromMs}
        data-to-ms={toMs}
      >
        {rows.map((row) => (
          <Box key={row.code} pos="relative" h={18} mb={2} bg="var(--mantine-color-default-hover)" data-testid="timeline-row" data-code={row.code}>
            {row.timeline?.recorded.map((r) => (
              <Box key={`r${r.start_at}`} pos="absolute" top={2} bottom={2} bg="teal.6" style={span(r.start_at, r.end_at)} data-testid="timeline-recorded" />
            ))}
            {row.timeline?.gaps.map((g) => (
              <Box key={`g${g.start_at}`} pos="absolute" top={7} h={4} bg="gray.5" style={span(g.start_at, g.end_at)} data-testid="timeline-gap" />
            ))}
            {row.timeline?.alarms.map((m) => (
              <Tooltip key={`a${m.id}`} label={`${t("video.playback.alarm")} #${m.id} · ${tMaybe(`alarms.kind.${m.kind}`) ?? m.kind} · ${formatInstant(m.at, { timeZone })}`}>
                <Box pos="absolute" top={0} bottom={0} w={3} bg="red.6" style={{ left: pct(fractionOf(Date.parse(m.at), fromMs, toMs)) }} data-testid="timeline-alarm" />
              </Tooltip>
            ))}
            {row.timeline?.incidents.map((m) => (
              <Tooltip key={`i${m.id}`} label={`${t("video.playback.incident")} ${m.number} · ${formatInstant(m.at, { timeZone })}`}>
                <Box pos="absolute" top={0} bottom={0} w={3} bg="orange.6" style={{ left: pct(fractionOf(Date.parse(m.at), fromMs, toMs)) }} data-testid="timeline-incident" />
              </Tooltip>
            ))}
            <Text pos="absolute" left={4} top={1} size="10px" c="dimmed" className="mono" style={{ pointerEvents: "none" }}>{row.code}</Text>
          </Box>
        ))}
        <Box pos="absolute" top={0} bottom={0} w={2} bg="blue.7" style={{ left: pct(fractionOf(cursorMs, fromMs, toMs)), pointerEvents: "none" }} data-testid="timeline-cursor" />
      </Box>
      <Box style={{ display: "flex", justifyContent: "space-between" }}>
        <Text size="xs" c="dimmed" className="tabular">{formatInstant(fromMs, { timeZone, withDate: true })}</Text>
        <Text size="xs" c="dimmed" className="tabular">{formatInstant(toMs, { timeZone, withDate: true })}</Text>
      </Box>
    </Box>
  );
}
