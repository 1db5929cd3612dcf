import { Alert, Button, Grid, Group, Tabs, TextInput } from "@mantine/core";
import { useState } from "react";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { DeskPage } from "../../shell/DeskPage";
import { eventWindow, parseVideoLink } from "../../video/links";
import { AnalyticsView } from "./analytics/AnalyticsView";
import { ObjectSearch } from "./analytics/ObjectSearch";
import { CameraPanel } from "./CameraPanel";
import { CameraSettingsDialog } from "./CameraSettingsDialog";
import { ExportsList } from "./ExportPanel";
import { MAX_PLAYBACK_CAMERAS, PlaybackView } from "./PlaybackView";
import { WallView, type WallState } from "./WallView";
import { fitTiles, layoutFor, placeCamera } from "./walls";

type Tab = "wall" | "playback" | "exports" | "analytics" | "search";
const DEFAULT_PLAYBACK_MIN = 15;

/** What the desk opens with: a link from an alarm, incident or the map (`?cameras=…&at=…`) fills the wall and playback. */
function initialState() {
  const link = parseVideoLink(window.location.search);
  const now = Date.now();
  const cameras = link?.cameras ?? [];
  const layout = layoutFor(Math.max(1, cameras.length));
  const wall: WallState = {
    wallId: null,
    name: "",
    shared: false,
    layout,
    tiles: fitTiles(cameras.map((camera) => ({ camera, follow_alarms: false })), layout),
  };
  const range = link?.at
    ? eventWindow(link.at, now)
    : { fromMs: now - DEFAULT_PLAYBACK_MIN * 60_000, toMs: now, startMs: now - DEFAULT_PLAYBACK_MIN * 60_000 };
  return { wall, range, playbackCameras: cameras.slice(0, MAX_PLAYBACK_CAMERAS), tab: (link?.at ? "playback" : "wall") as Tab };
}

/** The video desk: cameras, the wall of live tiles, playback with its time line and exports. */
export function VideoDesk() {
  const { t } = useI18n();
  const { user } = useSession();
  const canView = hasPermission(user, PERMISSIONS.videoView);
  const canAdmin = hasPermission(user, PERMISSIONS.videoAdmin);
  const canPlayback = hasPermission(user, PERMISSIONS.videoPlayback);
  const canExport = hasPermission(user, PERMISSIONS.videoExport);
  // The situation center's wall: supervisors and video administrators (as the server checks).
  const canShare = user?.role === "supervisor" || hasPermission(user, PERMISSIONS.videoAdmin);
  const [initial] = useState(initialState);
  const [tab, setTab] = useState<Tab>(canPlayback ? initial.tab : "wall");
  const [wall, setWall] = useState<WallState>(initial.wall);
  const [selected, setSelected] = useState(0);
  const [playbackCameras, setPlaybackCameras] = useState<string[]>(initial.playbackCameras);
  const [range, setRange] = useState(initial.range);
  const [exportsVersion, setExportsVersion] = useState(0);
  const [settingsCode, setSettingsCode] = useState<string | null>(null);
  const [adminCode, setAdminCode] = useState("");
  // The camera the analytics and search views are about (picked from the list while one of them is open).
  const [focusCode, setFocusCode] = useState<string | null>(initial.playbackCameras[0] ?? null);

  const pick = (code: string) => {
    if (tab === "analytics" || tab === "search") {
      setFocusCode(code);
    } else if (tab === "playback") {
      setPlaybackCameras((list) => (list.includes(code) ? list : [...list, code].slice(-MAX_PLAYBACK_CAMERAS)));
    } else {
      const free = wall.tiles.findIndex((tile) => tile.camera === null && !tile.follow_alarms);
      const index = wall.tiles[selected]?.camera === null && !wall.tiles[selected]?.follow_alarms ? selected : free >= 0 ? free : selected;
      setWall({ ...wall, tiles: placeCamera(wall.tiles, code, index) });
      setSelected(Math.min(wall.tiles.length - 1, index + 1));
      if (tab !== "wall") setTab("wall");
    }
  };
  const openPlayback = (code: string) => {
    const now = Date.now();
    setPlaybackCameras([code]);
    setRange({ fromMs: now - DEFAULT_PLAYBACK_MIN * 60_000, toMs: now, startMs: now - 60_000 });
    setTab("playback");
  };
  const showTab = (next: Tab) => {
    // Analytics and search start with the camera at hand: the selected tile's, else the first one played back.
    if ((next === "analytics" || next === "search") && focusCode === null) {
      setFocusCode(wall.tiles[selected]?.camera ?? playbackCameras[0] ?? null);
    }
    setTab(next);
  };
  const openAt = (code: string, at: string) => {
    setPlaybackCameras([code]);
    setRange(eventWindow(at, Date.now()));
    setTab("playback");
  };

  if (!canView) {
    // A video administrator without video:view sets cameras up (groups, recording, masks) but watches nothing.
    return (
      <DeskPage title={t("nav.video")}>
        <Grid gutter="sm" data-testid="video-desk">
          {canAdmin && (
            <Grid.Col span={{ base: 12, md: 3 }}>
              {/* The camera list needs video:view; an administrator names the camera to set up. */}
              <Group gap="xs" align="flex-end" wrap="wrap">
                <TextInput size="xs" label={t("video.settings.code")} value={adminCode} onChange={(e) => setAdminCode(e.currentTarget.value)} data-testid="camera-settings-code" />
                <Button size="xs" disabled={!adminCode.trim()} onClick={() => setSettingsCode(adminCode.trim())}>{t("video.settings.open")}</Button>
                <Button size="xs" variant="light" disabled={!adminCode.trim()} onClick={() => setFocusCode(adminCode.trim().toUpperCase())} data-testid="camera-analytics-open">
                  {t("analytics.tab")}
                </Button>
              </Group>
              {settingsCode && <CameraSettingsDialog code={settingsCode} onClose={() => setSettingsCode(null)} />}
            </Grid.Col>
          )}
          <Grid.Col span={{ base: 12, md: canAdmin ? 9 : 12 }}>
            {canAdmin && focusCode ? (
              // Rules are set up by video administrators, who need not watch the camera otherwise.
              <AnalyticsView code={focusCode} canEdit />
            ) : (
              <Alert color="gray" maw={720} data-testid="video-no-permission">{t("video.noPermission")}</Alert>
            )}
          </Grid.Col>
        </Grid>
      </DeskPage>
    );
  }
  return (
    <DeskPage title={t("nav.video")}>
      <Grid gutter="sm" data-testid="video-desk">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <CameraPanel onPick={pick} onSettings={canAdmin ? setSettingsCode : undefined} />
          {settingsCode && <CameraSettingsDialog code={settingsCode} onClose={() => setSettingsCode(null)} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          <Tabs value={tab} onChange={(v) => v && showTab(v as Tab)} keepMounted={false}>
            <Tabs.List mb="xs">
              <Tabs.Tab value="wall" data-testid="video-tab-wall">{t("video.tabs.wall")}</Tabs.Tab>
              {canPlayback && <Tabs.Tab value="playback" data-testid="video-tab-playback">{t("video.tabs.playback")}</Tabs.Tab>}
              {canExport && <Tabs.Tab value="exports" data-testid="video-tab-exports">{t("video.tabs.exports")}</Tabs.Tab>}
              <Tabs.Tab value="analytics" data-testid="video-tab-analytics">{t("analytics.tab")}</Tabs.Tab>
              {canPlayback && <Tabs.Tab value="search" data-testid="video-tab-search">{t("analytics.search.tab")}</Tabs.Tab>}
            </Tabs.List>
            <Tabs.Panel value="wall">
              <WallView wall={wall} onChange={setWall} selected={selected} onSelect={setSelected} onPlayback={canPlayback ? openPlayback : undefined} canShare={canShare} />
            </Tabs.Panel>
            {canPlayback && (
              <Tabs.Panel value="playback">
                <PlaybackView
                  cameras={playbackCameras}
                  onCameras={setPlaybackCameras}
                  range={range}
                  onRange={setRange}
                  canExport={canExport}
                  onExported={() => {
                    setExportsVersion((v) => v + 1);
                    setTab("exports");
                  }}
                />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="analytics">
              <AnalyticsView code={focusCode} canEdit={canAdmin} onOpen={canPlayback ? openAt : undefined} />
            </Tabs.Panel>
            {canPlayback && (
              <Tabs.Panel value="search">
                <ObjectSearch code={focusCode} onOpen={openAt} />
              </Tabs.Panel>
            )}
            {canExport && (
              <Tabs.Panel value="exports">
                <ExportsList version={exportsVersion} />
              </Tabs.Panel>
            )}
          </Tabs>
        </Grid.Col>
      </Grid>
    </DeskPage>
  );
}
