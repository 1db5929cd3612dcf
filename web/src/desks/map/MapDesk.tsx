import {
  ActionIcon,
  Alert,
  Box,
  Button,
  CloseButton,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Tabs,
  Text,
  Title,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
} from "@mantine/core";
import { useLocalStorage } from "@mantine/hooks";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchCityMap, fetchCityModels, fetchDevice, fetchDevicesGeoJson, fetchDevicesSummary } from "../../api/endpoints";
import { describeError } from "../../api/problem";
import type { CityFeatureCollection, CityModel, DeviceSummary } from "../../api/types";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { eventStream } from "../../live/eventStream";
import { useLiveEventHandler } from "../../live/hooks";
import { IconAlertCircle, IconBuildingCommunity, IconInfoCircle, IconRefresh, IconWorld } from "../../shell/icons";
import { DeviceCard, type DetailState } from "./DeviceCard";
import { fovWedge } from "./geometry";
import { LayersPanel } from "./LayersPanel";
import { LiveEventList } from "./LiveEventList";
import { MapSearch, type SearchChoice } from "./MapSearch";
import { MapView, type MapCommand, type MapPin } from "./MapView";
import { deviceMarkerSvg } from "./markers";
import { zoomForPlace } from "./search";
import {
  ALL_LAYERS_ON,
  activeModel,
  applyHealthChanges,
  cameraOptics,
  countDevices,
  devicesFromGeoJson,
  inService,
  isDeviceVisible,
  layerCounts,
  localName,
  mergeDevice,
  modelsOf,
  parseHealthChanged,
  type HealthChange,
  type HealthCounts,
  type LayerToggles,
  type MapDevice,
} from "./model";

/** A load's state; an error is kept raw, so that its message follows the UI language. */
type Load<T> = { status: "idle" | "loading" } | { status: "loaded"; data: T } | { status: "error"; error: unknown };

/** Health changes arriving in a burst are applied together. */
const LIVE_BATCH_MS = 200;
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
  const [base, setBase] = useState<Load<CityFeatureCollection>>(() => ({ status: canCity ? "loading" : "idle" }));
  const [models, setModels] = useState<CityModel[] | null>(null);
  const [devicesLoad, setDevicesLoad] = useState<Load<true>>(() => ({ status: canDevices ? "loading" : "idle" }));
  const [devices, setDevices] = useState<MapDevice[]>([]);
  const [summary, setSummary] = useState<DeviceSummary | null>(null);
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
  const [detail, setDetail] = useState<DetailState | null>(null);
  /** Devices listed together: those at one spot (a cluster zooming cannot split) or of one site. */
  const [deviceList, setDeviceList] = useState<{ codes: string[]; title?: string } | null>(null);
  const [command, setCommand] = useState<MapCommand | null>(null);
  const [pin, setPin] = useState<MapPin | null>(null);
  const [tab, setTab] = useState<string | null>("layers");
  const seq = useRef(0);
  const describe = (error: unknown) => describeError(error, tMaybe).message;

  // ---- loading ------------------------------------------------------------------
  /** Fetches the base map and the city models into the state (no "loading" state: the caller sets it). */
  const fetchBase = useCallback((signal: AbortSignal) => {
    fetchCityMap(undefined, { signal })
      .then((data) => setBase({ status: "loaded", data }))
      .catch((error: unknown) => {
        if (!signal.aborted) setBase({ status: "error", error });
      });
    fetchCityModels({ signal })
      .then((answer) => setModels(modelsOf(answer)))
      .catch(() => setModels(null));
  }, []);
  const loadBase = () => {
    if (!canCity) return;
    setBase({ status: "loading" });
    fetchBase(new AbortController().signal);
  };

  const devicesAbort = useRef<AbortController | null>(null);
  /** Fetches the devices and their summary; `quiet` keeps what is shown when it fails (no "loading" state set). */
  const fetchDevices = useCallback(
    (quiet: boolean) => {
      if (!canDevices) return;
      devicesAbort.current?.abort();
      const controller = new AbortController();
      devicesAbort.current = controller;
      void Promise.allSettled([
        fetchDevicesGeoJson({ signal: controller.signal }),
        fetchDevicesSummary({ signal: controller.signal }),
      ]).then(([geo, sum]) => {
        if (controller.signal.aborted) return;
        if (geo.status === "fulfilled") {
          setDevices(devicesFromGeoJson(geo.value));
          setDevicesLoad({ status: "loaded", data: true });
        } else if (!quiet) {
          setDevicesLoad({ status: "error", error: geo.reason });
        }
        // The summary is optional: without it the counts come from the GeoJSON.
        setSummary(sum.status === "fulfilled" && sum.value && typeof sum.value === "object" ? sum.value : null);
      });
    },
    [canDevices],
  );
  const loadDevices = () => {
    if (!canDevices) return;
    setDevicesLoad({ status: "loading" });
    fetchDevices(false);
  };

  useEffect(() => {
    if (!canCity) return;
    const controller = new AbortController();
    fetchBase(controller.signal);
    return () => controller.abort();
  }, [canCity, fetchBase]);
  useEffect(() => {
    fetchDevices(false);
    return () => devicesAbort.current?.abort();
  }, [fetchDevices]);

  // After a reconnect of the event stream, health changes may have been missed: reload quietly.
  useEffect(() => {
    let last = eventStream.getSnapshot().state;
    let wasOpen = last === "open";
    return eventStream.subscribe(() => {
      const state = eventStream.getSnapshot().state;
      if (state === last) return;
      if (state === "open") {
        if (wasOpen) fetchDevices(true);
        wasOpen = true;
      }
      last = state;
    });
  }, [fetchDevices]);

  // ---- live health --------------------------------------------------------------
  const pending = useRef<HealthChange[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLiveEventHandler((event) => {
    const change = parseHealthChanged(event);
    if (!change) return;
    pending.current.push(change);
    flushTimer.current ??= setTimeout(() => {
      flushTimer.current = null;
      const changes = pending.current;
      pending.current = [];
      setDevices((current) => applyHealthChanges(current, changes));
    }, LIVE_BATCH_MS);
  });
  useEffect(
    () => () => {
      if (flushTimer.current) clearTimeout(flushTimer.current);
    },
    [],
  );

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
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onSelectDevice = useCallback((code: string) => {
    setSelectedCode(code);
    // A marker outside the listed devices closes the list.
    setDeviceList((list) => (list && list.codes.includes(code) ? list : null));
  }, []);
  const onClusterList = useCallback((codes: string[]) => setDeviceList({ codes }), []);

  // ---- derived ------------------------------------------------------------------
  const visible = useMemo(() => devices.filter((d) => isDeviceVisible(d, toggles)), [devices, toggles]);
  const counts = useMemo(
    () => (devicesLoad.status === "loaded" ? layerCounts(summary, devices) : null),
    [summary, devices, devicesLoad.status],
  );
  const liveHealth = useMemo(() => countDevices(devices).health, [devices]);
  const inServiceCount = useMemo(() => devices.filter(inService).length, [devices]);
  // The active model says whether the streets are generated; else the model the map was drawn
  // from, else any generated feature of the map.
  const mapModel = base.status === "loaded" && base.data.model && typeof base.data.model === "object" ? base.data.model : null;
  const model = activeModel(models);
  const baseGenerated =
    base.status === "loaded" && base.data.features?.some((f) => f?.properties?.generated === true) === true;
  const generated = model ? model.generated : typeof mapModel?.generated === "boolean" ? mapModel.generated : baseGenerated;
  const shownModel = model ?? mapModel;
  const attribution =
    shownModel && typeof shownModel.name === "string"
      ? [t("map.attribution", { name: shownModel.name }), shownModel.source, shownModel.licence].filter(Boolean).join(" · ")
      : null;
  const baseData = base.status === "loaded" ? base.data : null;

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
          <Tabs value={tab} onChange={setTab} className="map-tabs">
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
            rightInset={selectedCode || deviceList ? 2 * CARD_OFFSET + 8 : 0}
            onSelectDevice={onSelectDevice}
            onClusterList={onClusterList}
            deviceTitle={deviceTitle}
            clusterTitle={clusterTitle}
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

/** Devices listed together: those sharing one spot (a cluster zooming cannot split) or one site. */
function DeviceList({
  codes,
  title,
  selectedCode,
  byCode,
  onPick,
  onClose,
}: {
  codes: string[];
  title?: string;
  selectedCode: string | null;
  byCode: Map<string, MapDevice>;
  onPick: (code: string) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  return (
    <Paper withBorder shadow="md" radius="sm" className="map-card" data-testid="cluster-list">
      <Group justify="space-between" wrap="nowrap" px="sm" py={6} className="panel-header">
        <Title order={2} size="h5" lineClamp={1}>
          {title
            ? t("map.cluster.siteTitle", { site: title, count: codes.length })
            : t("map.cluster.listTitle", { count: codes.length })}
        </Title>
        <CloseButton size="sm" onClick={onClose} aria-label={t("map.cluster.close")} />
      </Group>
      <ScrollArea.Autosize mah={220} type="auto" scrollbarSize={8}>
        {codes.map((code) => {
          const d = byCode.get(code);
          return (
            <UnstyledButton
              key={code}
              className="map-list-item"
              data-active={code === selectedCode || undefined}
              onClick={() => onPick(code)}
              data-testid="cluster-list-item"
              data-code={code}
            >
              <Group gap={8} wrap="nowrap" px="sm" py={4}>
                <span
                  className="map-shape"
                  aria-hidden="true"
                  dangerouslySetInnerHTML={{ __html: deviceMarkerSvg(d?.kind ?? "", d?.health ?? "unknown", { size: 16 }) }}
                />
                <Text span size="sm" className="mono" fw={600}>
                  {code}
                </Text>
                <Text span size="sm" truncate>
                  {d ? localName(d, lang) : ""}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
      </ScrollArea.Autosize>
    </Paper>
  );
}
