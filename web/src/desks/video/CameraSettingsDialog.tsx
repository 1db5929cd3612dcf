import { Alert, Box, Button, Group, Loader, Modal, Select, Stack, Text } from "@mantine/core";
import { useEffect, useState, type MouseEvent } from "react";
import { describeError } from "../../api/problem";
import {
  fetchCameraSettings,
  fetchGroups,
  resetPictureReference,
  saveCameraSettings,
  snapshotUrl,
  type CameraGroup,
  type CameraSettings,
  type MaskPolygon,
  type RecordingMode,
} from "../../api/video";
import { useI18n } from "../../i18n/I18nProvider";
import { closePolygon, framePoint, svgPoints } from "./masks";

const MODES: readonly RecordingMode[] = ["continuous", "events", "off"];

/** A camera's group, recording mode and privacy masks (polygons drawn by clicks on a snapshot), for video admins. */
export function CameraSettingsDialog({ code, onClose }: { code: string; onClose: () => void }) {
  const { t, tMaybe, lang } = useI18n();
  const [settings, setSettings] = useState<CameraSettings | null>(null);
  const [groups, setGroups] = useState<CameraGroup[]>([]);
  const [group, setGroup] = useState<string | null>(null);
  const [mode, setMode] = useState<RecordingMode | null>(null);
  const [masks, setMasks] = useState<MaskPolygon[]>([]);
  const [drawing, setDrawing] = useState<number[][]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [referenceReset, setReferenceReset] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([fetchCameraSettings(code, { signal: controller.signal }), fetchGroups({ signal: controller.signal })])
      .then(([s, g]) => {
        setSettings(s);
        setGroups(g);
        setGroup(s.own_group);
        setMode(s.recording_mode);
        setMasks(s.privacy_masks);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [code]);

  const click = (event: MouseEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    setDrawing((d) => [...d, framePoint(event.clientX - box.left, event.clientY - box.top, box.width, box.height)]);
  };
  const close = () => {
    const next = closePolygon(masks, drawing);
    if (next) {
      setMasks(next);
      setDrawing([]);
    }
  };
  const save = async () => {
    if (!settings) return;
    setBusy(true);
    setError(null);
    try {
      await saveCameraSettings(code, { group, recording_mode: mode, volume: settings.volume, privacy_masks: masks });
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const resetReference = async () => {
    setError(null);
    try {
      await resetPictureReference(code);
      setReferenceReset(true);
    } catch (e) {
      setError(e);
    }
  };
  const groupName = (g: CameraGroup) => (lang === "kk" ? g.name_kk : lang === "ru" ? g.name_ru : g.name_en);

  return (
    <Modal opened onClose={onClose} size="lg" title={`${t("video.settings.title")} · ${code}`} data-testid="camera-settings">
      {!settings && !error && <Loader size="sm" />}
      {error !== null && <Alert color="red" py={4} mb="xs">{describeError(error, tMaybe).message}</Alert>}
      {settings && (
        <Stack gap="xs">
          <Group grow>
            <Select
              size="xs"
              label={t("video.settings.group")}
              clearable
              placeholder={t("video.settings.byPurpose")}
              value={group}
              onChange={setGroup}
              data={groups.map((g) => ({ value: g.code, label: groupName(g) }))}
              data-testid="camera-settings-group"
            />
            <Select
              size="xs"
              label={t("video.settings.recording")}
              clearable
              placeholder={t("video.settings.byDefault")}
              value={mode}
              onChange={(v) => setMode(v as RecordingMode | null)}
              data={MODES.map((m) => ({ value: m, label: t(`video.settings.modes.${m}`) }))}
              data-testid="camera-settings-mode"
            />
          </Group>
          <Text size="sm" fw={600}>{t("video.settings.masks")}</Text>
          <Text size="xs" c="dimmed">{t("video.settings.masksHint")}</Text>
          <Box pos="relative" bg="black" style={{ aspectRatio: "16 / 9", cursor: "crosshair" }} onClick={click} data-testid="mask-canvas">
            <img src={snapshotUrl(code)} alt="" style={{ width: "100%", height: "100%", objectFit: "fill", display: "block" }} />
            <svg viewBox="0 0 100 100" preserveAspectRatio="none" style={{ position: "absolute", inset: 0, width: "100%", height: "100%" }}>
              {masks.map((polygon, i) => (
                <polygon key={i} points={svgPoints(polygon)} fill="rgba(0,0,0,0.85)" stroke="#fa5252" strokeWidth={0.4} />
              ))}
              {drawing.length > 0 && <polyline points={svgPoints(drawing)} fill="rgba(250,82,82,0.25)" stroke="#fa5252" strokeWidth={0.4} />}
            </svg>
          </Box>
          <Group gap="xs">
            <Button size="compact-xs" variant="light" disabled={drawing.length < 3} onClick={close} data-testid="mask-close">{t("video.settings.closeMask")}</Button>
            <Button size="compact-xs" variant="subtle" disabled={drawing.length === 0} onClick={() => setDrawing([])}>{t("video.settings.cancelMask")}</Button>
            <Button size="compact-xs" variant="subtle" color="red" disabled={masks.length === 0} onClick={() => setMasks([])} data-testid="mask-clear">{t("video.settings.clearMasks")}</Button>
            <Text size="xs" c="dimmed">{t("video.settings.maskCount", { count: masks.length })}</Text>
          </Group>
          <Group justify="space-between">
            <Group gap="xs">
              <Button size="xs" variant="subtle" disabled={referenceReset} onClick={() => void resetReference()} title={t("video.settings.resetReferenceHint")} data-testid="picture-reference-reset">
                {t("video.settings.resetReference")}
              </Button>
              {referenceReset && <Text size="xs" c="dimmed" data-testid="picture-reference-reset-done">{t("video.settings.referenceReset")}</Text>}
            </Group>
            <Button size="xs" loading={busy} onClick={() => void save()} data-testid="camera-settings-save">{t("video.settings.save")}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
