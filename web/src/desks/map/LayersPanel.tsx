import { Box, Button, Checkbox, Group, Stack, Text } from "@mantine/core";
import type { DeviceHealth } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import { deviceMarkerSvg } from "./markers";
import {
  CAMERA_PURPOSES,
  DEVICE_KINDS,
  HEALTHS,
  HEALTH_COLORS,
  type LayerCounts,
  type LayerToggles,
} from "./model";

function Shape({ kind, health = "online" }: { kind: string; health?: DeviceHealth }) {
  return (
    <span className="map-shape" aria-hidden="true" dangerouslySetInnerHTML={{ __html: deviceMarkerSvg(kind, health, { size: 16 }) }} />
  );
}

function Count({ testId, value, dimmed }: { testId: string; value: number | undefined; dimmed?: boolean }) {
  return (
    <Text span size="xs" className="mono tabular map-count" c={dimmed ? "dimmed" : undefined} data-testid={testId}>
      {value ?? 0}
    </Text>
  );
}

export interface LayersPanelProps {
  counts: LayerCounts | null;
  /** Health tallies of the loaded devices (live). */
  liveHealth: Record<string, number>;
  toggles: LayerToggles;
  onToggles: (next: LayerToggles) => void;
  shown: number;
  total: number;
  devicesAvailable: boolean;
}

/** Device layers per kind and camera purpose with their counts, and the status legend. */
export function LayersPanel({ counts, liveHealth, toggles, onToggles, shown, total, devicesAvailable }: LayersPanelProps) {
  const { t } = useI18n();
  const kindOn = (kind: string) => toggles.kinds[kind] !== false;
  const purposeOn = (purpose: string) => toggles.purposes[purpose] !== false;
  const setKind = (kind: string, on: boolean) => onToggles({ ...toggles, kinds: { ...toggles.kinds, [kind]: on } });
  const setPurpose = (purpose: string, on: boolean) =>
    onToggles({ ...toggles, purposes: { ...toggles.purposes, [purpose]: on } });
  const anyOff =
    Object.values(toggles.kinds).some((v) => v === false) || Object.values(toggles.purposes).some((v) => v === false);
  const fromGeoJson = counts?.source === "geojson";

  return (
    <Stack gap={6} className="map-layers" data-testid="map-layers">
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" fw={600} tt="uppercase" c="dimmed">
          {t("map.layers.devices")}
        </Text>
        {anyOff && (
          <Button size="compact-xs" variant="subtle" onClick={() => onToggles({ kinds: {}, purposes: {} })} data-testid="layers-show-all">
            {t("map.layers.showAll")}
          </Button>
        )}
      </Group>
      <Stack gap={4} role="group" aria-label={t("map.layers.kindsLabel")}>
        {DEVICE_KINDS.map((kind) => (
          <Group key={kind} gap={6} wrap="nowrap" justify="space-between" className="map-layer-row">
            <Checkbox
              size="xs"
              checked={kindOn(kind)}
              disabled={!devicesAvailable}
              onChange={(e) => setKind(kind, e.currentTarget.checked)}
              data-testid={`layer-toggle-${kind}`}
              label={
                <Group gap={6} wrap="nowrap" component="span">
                  <Shape kind={kind} />
                  <span>{t(`map.kinds.${kind}` as const)}</span>
                </Group>
              }
            />
            <Count testId={`layer-count-${kind}`} value={counts?.kinds[kind]} />
          </Group>
        ))}
      </Stack>

      <Text size="xs" fw={600} tt="uppercase" c="dimmed" mt={6}>
        {t("map.layers.purposes")}
      </Text>
      <Stack gap={3} role="group" aria-label={t("map.layers.purposes")} pl={4}>
        {CAMERA_PURPOSES.map((purpose) => (
          <Group key={purpose} gap={6} wrap="nowrap" justify="space-between" className="map-layer-row">
            <Checkbox
              size="xs"
              checked={purposeOn(purpose)}
              disabled={!devicesAvailable || !kindOn("camera")}
              onChange={(e) => setPurpose(purpose, e.currentTarget.checked)}
              data-testid={`layer-toggle-purpose-${purpose}`}
              label={t(`map.purposes.${purpose}` as const)}
            />
            <Count testId={`layer-count-purpose-${purpose}`} value={counts?.purposes[purpose]} dimmed={!kindOn("camera")} />
          </Group>
        ))}
      </Stack>
      {fromGeoJson && (
        <Text size="xs" c="dimmed" fs="italic" data-testid="layer-counts-fallback">
          {t("map.layers.fromGeoJson")}
        </Text>
      )}

      <Text size="xs" fw={600} tt="uppercase" c="dimmed" mt={6}>
        {t("map.layers.legend")}
      </Text>
      <Stack gap={3} data-testid="map-legend">
        {HEALTHS.map((health) => (
          <Group key={health} gap={6} wrap="nowrap" justify="space-between">
            <Group gap={6} wrap="nowrap">
              <Box component="span" className="map-legend-dot" style={{ background: HEALTH_COLORS[health] }} />
              <Text span size="sm">
                {t(`map.health.${health}` as const)}
              </Text>
            </Group>
            <Count testId={`legend-count-${health}`} value={liveHealth[health]} />
          </Group>
        ))}
      </Stack>
      {devicesAvailable && (
        <Text size="xs" c="dimmed" mt={4} data-testid="map-shown-count">
          {t("map.layers.shown", { shown, total })}
        </Text>
      )}
    </Stack>
  );
}
