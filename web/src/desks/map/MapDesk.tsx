import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Group,
  Loader,
  ScrollArea,
  Tabs,
  Text,
  Title,
  Tooltip,
  useComputedColorScheme,
} from "@mantine/core";
import { useLocalStorage } from "@mantine/hooks";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchDevice } from "../../api/endpoints";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { IconAlertCircle, IconBuildingCommunity, IconInfoCircle, IconRefresh, IconWorld } from "../../shell/icons";
import { DeviceCard, type DetailState } from "./DeviceCard";
import { DeviceList } from "./DeviceList";
import { fovWedge } from "./geometry";
import { LayersPanel } from "./LayersPanel";
import { LiveEventList } from "./LiveEventList";
import { MapSearch, type SearchChoice } from "./MapSearch";
import { MapView, type MapCommand, type MapPin } from "./MapView";
import { zoomForPlace } from "./search";
import {
  ALL_LAYERS_ON,
  countDevices,
  inService,
  isDeviceVisible,
  layerCounts,
  localName,
  mergeDevice,
  type HealthCounts,
  type LayerToggles,
  type MapDevice,
} from "./model";
import { cameraOptics } from "./optics";
import { useBaseMap } from "./useBaseMap";
import { useMapDevices } from "./useMapDevices";
import { useOpsPicture } from "./useOpsPicture";
import { OpsCard } from "./OpsCard";
import { OpsLegend } from "./OpsLegend";

const DEVICE_ZOOM = 18;
/** Half the width of the card over the right of the map: a device flown to stays clear of it. */
const CARD_OFFSET = 170;

function useColorScheme(): "dark" | "light" {
  return useComputedColorScheme("dark", { getInitialValueInEffect: false });
}

/** The map desk: every registry device on an offline map drawn from the city model. */
export function MapDesk() {
  const { t, tMaybe, lang } = useI18n();
  const { user } = useSession();
  const scheme = useColorScheme();
  const canCity = hasPermission(user, PERMISSIONS.cityRead);
  const canDevices = hasPermission(user, PERMISSIONS.devicesRead);

  // What is allowed starts loading on mount (the effects below).
  const { base, baseData, loadBase, generated, attribution } = useBaseMap(canCity);
  const { devices, devicesLoad, summary, loadDevices } = useMapDevices(canDevices);
  const [storedToggles, setToggles] = useLocalStorage<LayerToggles>({
    key: "qorgau.map.layers",
    defaultValue: ALL_LAYERS_ON,
    getInitialValueInEffect: false,
  });
  // Whatever localStorage holds, the desk works with two plain maps.
  const toggles = useMemo<LayerToggles>(
    () => ({
      kinds: storedToggles && typeof storedToggles.kinds === "object" && storedToggles.kinds ? storedToggles.kinds : {},
      purposes:
        storedToggles && typeof storedToggles.purposes === "object" && storedToggles.purposes ? storedToggles.purposes : {},
    }),
    [storedToggles],
  );
  const [selectedCode, setSelectedCode] = useState<string | null>(null);
  const ops = useOpsPicture();
  const { setSelectedKey: setSelectedOps } = ops;
  const [detail, setDetail] = useState<DetailState | null>(null);
  /** Devices listed together: those at one spot (a cluster zooming cannot split) or of one site. */
  const [deviceList, setDeviceList] = useState<{ codes: string[]; title?: string } | null>(null);
  const [command, setCommand] = useState<MapCommand | null>(null);
  const [pin, setPin] = useState<MapPin | null>(null);
  const [tab, setTab] = useState<string | null>("layers");
  const seq = useRef(0);
  const describe = (error: unknown) => describeError(error, tMaybe).message;

  // ---- selection ----------------------------------------------------------------
  // Another device selected: its details load (state set while rendering, not in the effect that fetches them).
  const [detailOf, setDetailOf] = useState<string | null>(null);
  if (detailOf !== selectedCode) {
    setDetailOf(selectedCode);
    setDetail(selectedCode ? { status: "loading", code: selectedCode } : null);
  }
  useEffect(() => {
    if (!selectedCode) return;
    const controller = new AbortController();
    fetchDevice(selectedCode, { signal: controller.signal })
      .then((data) => setDetail({ status: "loaded", code: selectedCode, detail: data }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setDetail({ status: "error", code: selectedCode, error });
      });
    return () => controller.abort();
  }, [selectedCode]);

  const byCode = useMemo(() => new Map(devices.map((d) => [d.code, d])), [devices]);
  const selectedDevice = selectedCode ? byCode.get(selectedCode) : undefined;
  const wedge = useMemo(() => {
    const merged = mergeDevice(selectedDevice, detail?.status === "loaded" ? detail.detail : undefined);
    if (!merged || merged.kind !== "camera") return null;
    const optics = cameraOptics(merged);
    const ring = fovWedge(optics);
    // Dashed when the field of view or range is the purpose's default, not the camera's own.
    return ring ? { ring, assumed: optics.fovDefault || optics.rangeDefault } : null;
  }, [selectedDevice, detail]);

  const fly = useCallback((lon: number, lat: number, zoom: number, offsetX = 0) => {
    seq.current += 1;
    setCommand({ type: "fly", lon, lat, zoom, offsetX, seq: seq.current });
  }, []);

  const onSearch = useCallback(
    (choice: SearchChoice) => {
      if (choice.type === "device") {
        setDeviceList(null);
        setSelectedCode(choice.device.code);
        fly(choice.device.lon, choice.device.lat, DEVICE_ZOOM, CARD_OFFSET);
      } else if (choice.type === "site") {
        setSelectedCode(null);
        setDeviceList({ codes: choice.site.devices, title: localName(choice.site, lang) ?? choice.site.code });
        fly(choice.site.lon, choice.site.lat, DEVICE_ZOOM, CARD_OFFSET);
      } else {
        setPin({ lon: choice.result.lon, lat: choice.result.lat, label: choice.result.label });
        fly(choice.result.lon, choice.result.lat, zoomForPlace(choice.result.kind));
      }
    },
    [fly, lang],
  );

  // Escape closes the card (and the list of devices at one spot) unless a field has the focus.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
      setSelectedCode(null);
      setDeviceList(null);
      setSelectedOps(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [setSelectedOps]);

  const onSelectDevice = useCallback((code: string) => {
    setSelectedCode(code);
    setSelectedOps(null);
    // A marker outside the listed devices closes the list.
    setDeviceList((list) => (list && list.codes.includes(code) ? list : null));
  }, [setSelectedOps]);
  // One card at a time: an alarm, incident or unit clicked closes the device's.
  const onSelectOps = useCallback(
    (key: string) => {
      setSelectedOps(key);
      setSelectedCode(null);
      setDeviceList(null);
    },
    [setSelectedOps],
  );
  const onClusterList = useCallback((codes: string[]) => setDeviceList({ codes }), []);

  // ---- derived ------------------------------------------------------------------
  const visible = useMemo(() => devices.filter((d) => isDeviceVisible(d, toggles)), [devices, toggles]);
  const counts = useMemo(
    () => (devicesLoad.status === "loaded" ? layerCounts(summary, devices) : null),
    [summary, devices, devicesLoad.status],
  );
  const liveHealth = useMemo(() => countDevices(devices).health, [devices]);
  const inServiceCount = useMemo(() => devices.filter(inService).length, [devices]);

  const deviceTitle = useCallback(
    (d: MapDevice) => {
      const name = localName(d, lang);
      return `${d.code}${name ? ` — ${name}` : ""} (${t(`map.health.${d.health}` as const)})`;
    },
    [lang, t],
  );
  const clusterTitle = useCallback(
    (count: number, h: HealthCounts) => t("map.cluster.title", { count, ...h }),
    [t],
  );

  return (
    <Box className="map-desk" data-testid="map-desk">
      <Group className="map-toolbar" gap="sm" wrap="nowrap" px="sm" py={6}>
        <Title order={1} size="h2" data-testid="page-title" style={{ flex: "none" }}>
          {t("nav.map")}
        </Title>
        {canDevices || canCity ? <MapSearch devices={devices} onChoose={onSearch} /> : null}
        <Group gap={4} wrap="nowrap" ml="auto">
          <Button
            size="compact-sm"
            variant="default"
            leftSection={<IconBuildingCommunity size={14} />}
            title={t("map.view.townHint")}
            onClick={() => setCommand({ type: "town", seq: ++seq.current })}
            data-testid="map-view-town"
          >
            {t("map.view.town")}
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            leftSection={<IconWorld size={14} />}
            title={t("map.view.districtHint")}
            onClick={() => setCommand({ type: "district", seq: ++seq.current })}
            data-testid="map-view-district"
          >
            {t("map.view.district")}
          </Button>
          <Button
            component="a"
            href="/wall"
            target="_blank"
            size="compact-sm"
            variant="default"
            title={t("map.view.wallHint")}
            data-testid="map-view-wall"
          >
            {t("map.view.wall")}
          </Button>
          {canDevices && (
            <Tooltip label={t("map.view.refresh")}>
              <ActionIcon
                variant="default"
                size={26}
                onClick={() => loadDevices()}
                aria-label={t("map.view.refresh")}
                data-testid="map-refresh"
                loading={devicesLoad.status === "loading"}
              >
                <IconRefresh size={15} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Group>

      {generated && (
        <Alert
          variant="light"
          color="yellow"
          radius={0}
          py={4}
          px="sm"
          icon={<IconInfoCircle size={16} />}
          className="map-notice"
          data-testid="generated-notice"
        >
          <Text size="sm">{t("map.generatedNotice")}</Text>
        </Alert>
      )}

      <div className="map-body">
        <Box className="map-side" component="aside">
          {/* Only the open tab is rendered: the events list re-rendering at every event of a burst, hidden, cost the map. */}
          <Tabs value={tab} onChange={setTab} className="map-tabs" keepMounted={false}>
            <Tabs.List grow>
              <Tabs.Tab value="layers" data-testid="map-tab-layers">
                {t("map.tabs.layers")}
              </Tabs.Tab>
              <Tabs.Tab value="events" data-testid="map-tab-events">
                {t("map.tabs.events")}
              </Tabs.Tab>
            </Tabs.List>
            <ScrollArea className="map-side-scroll" type="auto" scrollbarSize={8}>
              <Tabs.Panel value="layers" p="xs">
                <OpsLegend legend={ops.legend} available={ops.available} toggles={ops.toggles} onToggles={ops.setToggles} />
                {canDevices ? (
                  <LayersPanel
                    counts={counts}
                    liveHealth={liveHealth}
                    toggles={toggles}
                    onToggles={setToggles}
                    shown={visible.length}
                    total={inServiceCount}
                    devicesAvailable={devicesLoad.status === "loaded"}
                  />
                ) : (
                  <Text size="sm" c="dimmed" data-testid="map-no-devices-permission">
                    {t("map.noDevicesPermission")}
                  </Text>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="events" p="xs">
                <LiveEventList compact />
              </Tabs.Panel>
            </ScrollArea>
          </Tabs>
        </Box>

        <div className="map-main">
          {canCity ? null : (
            <Alert variant="light" color="gray" className="map-overlay-alert">
              {t("map.noCityPermission")}
            </Alert>
          )}
          <MapView
            base={baseData}
            devices={visible}
            scheme={scheme}
            lang={lang}
            selectedCode={selectedCode}
            selectedDevice={selectedDevice ?? null}
            wedge={wedge}
            pin={pin}
            command={command}
            attribution={attribution}
            rightInset={selectedCode || deviceList || ops.selection ? 2 * CARD_OFFSET + 8 : 0}
            onSelectDevice={onSelectDevice}
            onClusterList={onClusterList}
            deviceTitle={deviceTitle}
            clusterTitle={clusterTitle}
            ops={ops.items}
            selectedOps={ops.selectedKey}
            onSelectOps={onSelectOps}
            opsTitle={ops.title}
          />
          {(base.status === "loading" || devicesLoad.status === "loading") && (
            <Group gap={6} className="map-loading" data-testid="map-loading">
              <Loader size={14} />
              <Text size="xs">{t("map.loading")}</Text>
            </Group>
          )}
          <div className="map-alerts">
            {base.status === "error" && (
              <Alert color="red" variant="filled" py={6} icon={<IconAlertCircle size={16} />} data-testid="map-base-error">
                <Group gap="sm" wrap="nowrap">
                  <Text size="sm">{t("map.errors.base", { message: describe(base.error) })}</Text>
                  <Button size="compact-xs" variant="white" color="red" onClick={() => loadBase()}>
                    {t("map.errors.retry")}
                  </Button>
                </Group>
              </Alert>
            )}
            {devicesLoad.status === "error" && (
              <Alert color="red" variant="filled" py={6} icon={<IconAlertCircle size={16} />} data-testid="map-devices-error">
                <Group gap="sm" wrap="nowrap">
                  <Text size="sm">{t("map.errors.devices", { message: describe(devicesLoad.error) })}</Text>
                  <Button size="compact-xs" variant="white" color="red" onClick={() => loadDevices()}>
                    {t("map.errors.retry")}
                  </Button>
                </Group>
              </Alert>
            )}
          </div>
          <div className="map-cards">
            {ops.selection && (
              <OpsCard selection={ops.selection} onClose={() => setSelectedOps(null)} onAlarmChanged={ops.data.replaceAlarm} />
            )}
            {deviceList && deviceList.codes.length > 0 && (
              <DeviceList
                codes={deviceList.codes}
                title={deviceList.title}
                selectedCode={selectedCode}
                byCode={byCode}
                onPick={onSelectDevice}
                onClose={() => setDeviceList(null)}
              />
            )}
            {selectedCode && (
              <DeviceCard
                code={selectedCode}
                device={selectedDevice}
                state={detail?.code === selectedCode ? detail : null}
                onClose={() => setSelectedCode(null)}
                onZoomTo={(lon, lat) => fly(lon, lat, DEVICE_ZOOM, CARD_OFFSET)}
              />
            )}
          </div>
        </div>
      </div>
    </Box>
  );
}
