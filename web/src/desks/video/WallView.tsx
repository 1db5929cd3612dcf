import { ActionIcon, Alert, Box, Button, Checkbox, Group, SegmentedControl, Select, SimpleGrid, Text, TextInput, Tooltip } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../../api/problem";
import { deleteWall, fetchCameras, fetchWalls, saveWall, type VideoWall, type WallLayout, type WallTile } from "../../api/video";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { IconFlag, IconHistory, IconX } from "../../video/icons";
import { LivePlayer } from "../../video/LivePlayer";
import { LAYOUTS, emptyTile, fitTiles, followedAlarm, layoutSize } from "./walls";

export interface WallState {
  wallId: number | null;
  name: string;
  shared: boolean;
  layout: WallLayout;
  tiles: WallTile[];
}

export interface WallViewProps {
  wall: WallState;
  onChange: (wall: WallState) => void;
  selected: number;
  onSelect: (index: number) => void;
  /** Absent without the playback permission. */
  onPlayback?: (code: string) => void;
  canShare: boolean;
}

/** The camera nearest to the newest alarm with a position, for tiles that follow alarms. */
function useFollowedCamera(enabled: boolean): string | null {
  const [code, setCode] = useState<string | null>(null);
  useLiveEventHandler((event) => {
    if (!enabled) return;
    const where = followedAlarm(event.name, event.payload);
    if (!where) return;
    fetchCameras({ near: [where.lon, where.lat], limit: 1 })
      .then((page) => {
        if (page.items[0]) setCode(page.items[0].code);
      })
      .catch(() => undefined);
  });
  return code;
}

/** The wall: layout picker, saved walls (own and the shared one), tiles with live players; a camera dropped on a tile goes there. */
export function WallView({ wall, onChange, selected, onSelect, onPlayback, canShare }: WallViewProps) {
  const { t, tMaybe } = useI18n();
  const [walls, setWalls] = useState<VideoWall[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const following = wall.tiles.some((tile) => tile.follow_alarms);
  const followed = useFollowedCamera(following);

  useEffect(() => {
    const controller = new AbortController();
    fetchWalls({ signal: controller.signal })
      .then(setWalls)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [version]);

  const setTiles = (tiles: WallTile[]) => onChange({ ...wall, tiles });
  const editTile = (index: number, tile: WallTile) => setTiles(wall.tiles.map((t, i) => (i === index ? tile : t)));
  const load = (id: string | null) => {
    const found = walls.find((w) => String(w.id) === id);
    if (found) onChange({ wallId: found.id, name: found.name, shared: found.shared, layout: found.layout, tiles: fitTiles(found.tiles, found.layout) });
  };
  const save = async () => {
    setError(null);
    try {
      const saved = await saveWall({ name: wall.name.trim(), layout: wall.layout, tiles: wall.tiles }, wall.shared);
      onChange({ ...wall, wallId: saved.id });
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    if (wall.wallId === null) return;
    try {
      await deleteWall({ id: wall.wallId, shared: wall.shared });
      onChange({ ...wall, wallId: null });
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
    }
  };
  const size = layoutSize(wall.layout);

  return (
    <Box data-testid="video-wall" data-layout={wall.layout}>
      <Group gap="xs" mb="xs" wrap="wrap">
        <SegmentedControl
          size="xs"
          value={wall.layout}
          onChange={(v) => onChange({ ...wall, layout: v as WallLayout, tiles: fitTiles(wall.tiles, v as WallLayout) })}
          data={LAYOUTS.map((l) => ({ value: l, label: l === "1" ? "1" : l.replace("x", "×") }))}
          data-testid="wall-layout"
        />
        <Select
          size="xs"
          w={220}
          placeholder={t("video.wall.saved")}
          value={wall.wallId === null ? null : String(wall.wallId)}
          onChange={load}
          data={walls.map((w) => ({ value: String(w.id), label: w.shared ? `${w.name} · ${t("video.wall.sharedMark")}` : w.name }))}
          data-testid="wall-select"
        />
        <TextInput size="xs" w={180} placeholder={t("video.wall.name")} value={wall.name} onChange={(e) => onChange({ ...wall, name: e.currentTarget.value })} data-testid="wall-name" />
        {canShare && (
          <Checkbox size="xs" label={t("video.wall.shared")} checked={wall.shared} onChange={(e) => onChange({ ...wall, shared: e.currentTarget.checked })} data-testid="wall-shared" />
        )}
        <Button size="compact-sm" disabled={!wall.name.trim()} onClick={() => void save()} data-testid="wall-save">{t("video.wall.save")}</Button>
        {wall.wallId !== null && (
          <Button size="compact-sm" variant="subtle" color="red" onClick={() => void remove()} data-testid="wall-delete">{t("video.wall.delete")}</Button>
        )}
      </Group>
      {error !== null && <Alert color="red" py={4} mb="xs" withCloseButton onClose={() => setError(null)}>{describeError(error, tMaybe).message}</Alert>}
      <SimpleGrid cols={size} spacing={4}>
        {wall.tiles.map((tile, index) => {
          const code = tile.follow_alarms ? followed : tile.camera;
          return (
            <Box
              key={index}
              pos="relative"
              bg="dark.8"
              style={{ aspectRatio: "16 / 9", outline: index === selected ? "2px solid var(--mantine-color-blue-5)" : undefined, cursor: "pointer" }}
              onClick={() => onSelect(index)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                const dropped = e.dataTransfer.getData("text/x-qorgau-camera");
                if (dropped) editTile(index, { camera: dropped, follow_alarms: false });
              }}
              data-testid="wall-tile"
              data-index={index}
              data-code={code ?? ""}
              data-follow={tile.follow_alarms ? "1" : "0"}
            >
              {code ? <LivePlayer key={code} code={code} stream={size === 1 ? "main" : "sub"} /> : (
                <Text size="xs" c="gray.5" ta="center" pt="20%">{tile.follow_alarms ? t("video.wall.waitingAlarm") : t("video.wall.empty")}</Text>
              )}
              <Group pos="absolute" bottom={4} left={4} right={4} justify="space-between" gap={4} wrap="nowrap">
                <Text size="xs" c="gray.3" className="mono" truncate>{code ?? ""}{tile.follow_alarms ? ` · ${t("video.wall.follow")}` : ""}</Text>
                <Group gap={2} wrap="nowrap">
                  {code && onPlayback && (
                    <Tooltip label={t("video.wall.playback")}>
                      <ActionIcon size="sm" variant="filled" color="dark" onClick={(e) => { e.stopPropagation(); onPlayback(code); }} data-testid="tile-playback" aria-label={t("video.wall.playback")}><IconHistory size={14} /></ActionIcon>
                    </Tooltip>
                  )}
                  <Tooltip label={t("video.wall.follow")}>
                    <ActionIcon size="sm" variant={tile.follow_alarms ? "filled" : "subtle"} color={tile.follow_alarms ? "red" : "gray"} onClick={(e) => { e.stopPropagation(); editTile(index, { camera: null, follow_alarms: !tile.follow_alarms }); }} data-testid="tile-follow" aria-label={t("video.wall.follow")}><IconFlag size={14} /></ActionIcon>
                  </Tooltip>
                  {(tile.camera || tile.follow_alarms) && (
                    <Tooltip label={t("video.wall.clear")}>
                      <ActionIcon size="sm" variant="subtle" color="gray" onClick={(e) => { e.stopPropagation(); editTile(index, emptyTile()); }} data-testid="tile-clear" aria-label={t("video.wall.clear")}><IconX size={14} /></ActionIcon>
                    </Tooltip>
                  )}
                </Group>
              </Group>
            </Box>
          );
        })}
      </SimpleGrid>
    </Box>
  );
}
