import { Badge, Button, Group, Stack, Text, Tooltip } from "@mantine/core";
import type { NearestCamera } from "../../api/alarms";
import type { IncidentCamera } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import { handleLinkClick } from "../../shell/router";
import { videoDeskLink } from "../../video/links";
import { splitDistance } from "../units/duration";
import { deviceName } from "./place";

/** What the list shows of a camera near an alarm (NearestCamera) or an incident (IncidentCamera). */
export type CameraEntry = Pick<IncidentCamera & NearestCamera, "code" | "name_kk" | "name_ru" | "distance_m"> &
  Partial<Pick<NearestCamera, "name_en" | "own_site" | "sees">>;

/** How many of the nearest cameras "open cameras" puts on the video desk. */
const OPEN_CAMERAS = 4;

/**
 * Cameras for a place: the site's own first (marked), then those that see it, best first, then those standing
 * near it (marked as not aimed there); code, name, distance; with `at`, one click opens them live and played back
 * from 30 s before.
 */
export function CameraList({ cameras, testId, at }: { cameras: readonly CameraEntry[]; testId: string; at?: string }) {
  const { t, lang } = useI18n();
  if (cameras.length === 0) return <Text size="sm" c="dimmed">{t("alarms.noCameras")}</Text>;
  const link = videoDeskLink({ cameras: cameras.slice(0, OPEN_CAMERAS).map((c) => c.code), at });
  return (
    <Stack gap={2}>
      <Group>
        <Button component="a" href={link} size="compact-xs" variant="light" onClick={(e) => handleLinkClick(e, link)} data-testid={`${testId}-open-video`}>
          {t("video.openCameras")}
        </Button>
      </Group>
      {cameras.map((camera) => {
        const distance = splitDistance(camera.distance_m);
        return (
          <Group key={camera.code} justify="space-between" wrap="nowrap" gap="xs" data-testid={testId} data-code={camera.code}
            data-own={camera.own_site ? "true" : "false"} data-sees={camera.sees === false ? "false" : "true"}>
            <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
              {camera.own_site && (
                <Tooltip label={t("place.ownCameraHint")}>
                  <Badge size="xs" variant="light" data-testid={`${testId}-own`}>{t("place.ownCamera")}</Badge>
                </Tooltip>
              )}
              <Text size="sm" truncate>
                <span className="mono">{camera.code}</span> · {deviceName(camera, lang)}
              </Text>
              {camera.sees === false && (
                <Tooltip label={t("place.notInViewHint")}>
                  <Badge size="xs" color="gray" variant="outline">{t("place.notInView")}</Badge>
                </Tooltip>
              )}
            </Group>
            <Text size="xs" c="dimmed" className="tabular">
              {t(distance.unit === "m" ? "units.meters" : "units.kilometers", { value: distance.value })}
            </Text>
          </Group>
        );
      })}
    </Stack>
  );
}
