import { Anchor, Group, Stack, Text, Title } from "@mantine/core";
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { Clock } from "../../shell/Clock";
import { MapView, type MapCommand } from "./MapView";
import { inService, type MapDevice } from "./model";
import { OpsCard } from "./OpsCard";
import { OpsLegend } from "./OpsLegend";
import { newestUnacknowledged } from "./ops";
import { useBaseMap } from "./useBaseMap";
import { useMapDevices } from "./useMapDevices";
import { useOpsPicture } from "./useOpsPicture";

/** How close the wall goes to a new alarm, and how long it stays there before showing the town again. */
const FOLLOW_ZOOM = 16;
const FOLLOW_HOLD_MS = 60_000;

/**
 * The situation center's wall (/wall): the map desk's picture full-screen, without the shell — devices, open
 * alarms (blinking until acknowledged), incidents and units moving live, a legend and the figures that matter,
 * large enough to read across the room. It follows the newest unacknowledged alarm, then returns to the town.
 */
export default function WallView() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const canCity = hasPermission(user, PERMISSIONS.cityRead);
  const canDevices = hasPermission(user, PERMISSIONS.devicesRead);
  const { baseData, attribution } = useBaseMap(canCity);
  const { devices } = useMapDevices(canDevices);
  const ops = useOpsPicture({ persistToggles: false });
  const [command, setCommand] = useState<MapCommand | null>(null);
  const seq = useRef(0);

  const shown = useMemo(() => devices.filter(inService), [devices]);
  const newest = newestUnacknowledged(ops.data.alarms);
  const followKey = newest ? `${newest.id}@${newest.last_at}` : null;
  /** Flies to the newest alarm; returns the timer that brings the town back. */
  const follow = useEffectEvent(() => {
    if (!newest || newest.lon === null || newest.lat === null) return null;
    seq.current += 1;
    setCommand({ type: "fly", lon: newest.lon, lat: newest.lat, zoom: FOLLOW_ZOOM, seq: seq.current });
    return setTimeout(() => {
      seq.current += 1;
      setCommand({ type: "town", seq: seq.current });
    }, FOLLOW_HOLD_MS);
  });
  // Only a new alarm (or a repeat of it) moves the wall, not every reload of the queue.
  useEffect(() => {
    const back = followKey ? follow() : null;
    return () => {
      if (back) clearTimeout(back);
    };
  }, [followKey]);

  const unacknowledged = ops.data.alarms.filter((a) => a.state === "new").length;
  const openIncidents = ops.data.incidents.filter((i) => i.state !== "resolved" && i.state !== "closed").length;
  const onDuty = ops.data.units.filter((u) => u.active && u.status !== "off_duty").length;
  const deviceTitle = (d: MapDevice) => d.code;
  const clusterTitle = (count: number) => String(count);

  return (
    <div className="wall" data-testid="wall" data-unacknowledged={unacknowledged}>
      <MapView
        base={baseData}
        devices={shown}
        scheme="dark"
        lang={lang}
        selectedCode={null}
        selectedDevice={null}
        wedge={null}
        pin={null}
        command={command}
        attribution={attribution}
        rightInset={0}
        onSelectDevice={() => undefined}
        onClusterList={() => undefined}
        deviceTitle={deviceTitle}
        clusterTitle={clusterTitle}
        ops={ops.items}
        selectedOps={ops.selectedKey}
        onSelectOps={ops.setSelectedKey}
        opsTitle={ops.title}
        zoomControl={false}
      />
      <Stack className="wall-panel" gap="sm" data-testid="wall-panel">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={1} size="h3">
            {t("map.wall.title")}
          </Title>
          <Clock />
        </Group>
        <OpsLegend legend={ops.legend} available={ops.available} />
        <Anchor href="/map" size="xs" c="dimmed" data-testid="wall-back">
          {t("map.wall.back")}
        </Anchor>
      </Stack>
      <div className="wall-figures">
        {ops.available.alarm && (
          <Text component="div" className="wall-figure" data-alert={unacknowledged > 0} data-testid="wall-unacknowledged">
            {t("map.wall.unacknowledged", { count: unacknowledged })}
          </Text>
        )}
        {ops.available.incident && (
          <Text component="div" className="wall-figure" data-testid="wall-incidents">
            {t("map.wall.openIncidents", { count: openIncidents })}
          </Text>
        )}
        {ops.available.unit && (
          <Text component="div" className="wall-figure" data-testid="wall-units">
            {t("map.wall.unitsOnDuty", { count: onDuty })}
          </Text>
        )}
      </div>
      {ops.selection && (
        <div className="map-cards">
          <OpsCard selection={ops.selection} onClose={() => ops.setSelectedKey(null)} onAlarmChanged={ops.data.replaceAlarm} />
        </div>
      )}
    </div>
  );
}
