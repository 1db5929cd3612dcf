import { Badge, Box, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import type { StreamKind } from "../api/video";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/messages";
import { LiveStream, type LiveStatusInfo } from "./liveStream";

const STATUS_KEYS: Record<LiveStatusInfo["status"], MessageKey> = {
  connecting: "video.live.connecting",
  playing: "video.live.playing",
  waiting: "video.live.waiting",
  refused: "video.live.refused",
  unsupported: "video.live.unsupported",
  closed: "video.live.closed",
};

/** A live camera on a <video> (muted, inline), with its connection state over the picture when not playing. */
export function LivePlayer({ code, stream = "sub", height }: { code: string; stream?: StreamKind; height?: number | string }) {
  const { t, tMaybe } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [info, setInfo] = useState<LiveStatusInfo>({ status: "connecting" });

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const live = new LiveStream(video, code, stream, (next) =>
      setInfo((prev) => (prev.status === next.status && prev.code === next.code && prev.state === next.state ? prev : next)),
    );
    live.start();
    return () => live.stop();
  }, [code, stream]);

  // Our own words in the UI language first; the server's (in the browser's language) for codes we do not know.
  const reason = (info.code ? tMaybe(`video.reason.${info.code.split(".").pop() ?? ""}`) : undefined) ?? info.message;
  const state = info.state ? tMaybe(`video.state.${info.state}`) : undefined;
  return (
    <Box pos="relative" h={height ?? "100%"} bg="black" data-testid="live-player" data-code={code} data-status={info.status}>
      <video ref={videoRef} muted playsInline autoPlay style={{ width: "100%", height: "100%", objectFit: "contain", display: "block" }} data-testid="live-video" />
      {info.status !== "playing" && (
        <Box pos="absolute" top={0} left={0} right={0} bottom={0} style={{ display: "flex", alignItems: "center", justifyContent: "center", pointerEvents: "none" }}>
          <Text size="sm" c="gray.3" ta="center" data-testid="live-status">
            {t(STATUS_KEYS[info.status])}
            {reason && <><br />{reason}</>}
            {state && <><br />{state}</>}
          </Text>
        </Box>
      )}
      {info.status === "playing" && (
        <Badge pos="absolute" top={6} right={6} size="xs" color="red" variant="filled">{t("video.live.badge")}</Badge>
      )}
    </Box>
  );
}
