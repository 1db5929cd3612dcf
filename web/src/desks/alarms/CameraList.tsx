import { Group, Stack, Text } from "@mantine/core";
import type { NearestCamera } from "../../api/alarms";
import type { IncidentCamera } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import { splitDistance } from "../units/duration";

/** What the list shows of a camera near an alarm (NearestCamera) or an incident (IncidentCamera). */
export type CameraEntry = Pick<IncidentCamera & NearestCamera, "code" | "name_kk" | "name_ru" | "distance_m">;

/** Cameras that see a place, best first: code, name, distance. */
export function CameraList({ cameras, testId }: { cameras: readonly CameraEntry[]; testId: string }) {
  const { t, lang } = useI18n();
  if (cameras.length === 0) return <Text size="sm" c="dimmed">{t("alarms.noCameras")}</Text>;
  return (
    <Stack gap={2}>
      {cameras.map((camera) => {
        const distance = splitDistance(camera.distance_m);
        return (
          <Group key={camera.code} justify="space-between" wrap="nowrap" gap="xs" data-testid={testId} data-code={camera.code}>
            <Text size="sm" truncate>
              <span className="mono">{camera.code}</span> · {lang === "kk" ? camera.name_kk : camera.name_ru}
            </Text>
            <Text size="xs" c="dimmed" className="tabular">
              {t(distance.unit === "m" ? "units.meters" : "units.kilometers", { value: distance.value })}
            </Text>
          </Group>
        );
      })}
    </Stack>
  );
}
