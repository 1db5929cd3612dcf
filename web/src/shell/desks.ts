import type { ComponentType } from "react";
import type { SessionUser } from "../api/types";
import { PERMISSIONS, hasPermission } from "../auth/permissions";
import { AdminDesk } from "../desks/admin/AdminDesk";
import { AlarmsDesk } from "../desks/alarms/AlarmsDesk";
import { IncidentsDesk } from "../desks/incidents/IncidentsDesk";
import { MapDesk } from "../desks/map/MapDesk";
import { StatsDesk } from "../desks/stats/StatsDesk";
import { UnitsDesk } from "../desks/units/UnitsDesk";
import { VideoDesk } from "../desks/video/VideoDesk";
import { IconAdmin, IconAlarm, IconIncident, IconMap, IconStats, IconUnits, IconVideo, type IconProps } from "./icons";

export type DeskId = "map" | "alarms" | "incidents" | "units" | "video" | "stats" | "admin";

export interface DeskDefinition {
  id: DeskId;
  /** Route; sub-paths (/incidents/42) belong to the same desk. */
  path: `/${string}`;
  icon: ComponentType<IconProps>;
  component: ComponentType;
  /** Whether the user may see the desk in the navigation and open it. */
  isVisible: (user: SessionUser) => boolean;
}

const always = () => true;

/** Navigation order. Title keys are `nav.<id>`. */
export const DESKS: readonly DeskDefinition[] = [
  {
    id: "map",
    path: "/map",
    icon: IconMap,
    component: MapDesk,
    // The base map needs city:read, the devices devices:read; the desk shows what the user may see.
    isVisible: (user) => hasPermission(user, PERMISSIONS.cityRead) || hasPermission(user, PERMISSIONS.devicesRead),
  },
  { id: "alarms", path: "/alarms", icon: IconAlarm, component: AlarmsDesk, isVisible: always },
  { id: "incidents", path: "/incidents", icon: IconIncident, component: IncidentsDesk, isVisible: always },
  { id: "units", path: "/units", icon: IconUnits, component: UnitsDesk, isVisible: always },
  { id: "video", path: "/video", icon: IconVideo, component: VideoDesk, isVisible: always },
  {
    id: "stats",
    path: "/stats",
    icon: IconStats,
    component: StatsDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.statsRead),
  },
  {
    id: "admin",
    path: "/admin",
    icon: IconAdmin,
    component: AdminDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.usersRead),
  },
];

export const DEFAULT_PATH = "/map";

export function findDesk(pathname: string): DeskDefinition | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return DESKS.find((desk) => path === desk.path || path.startsWith(`${desk.path}/`));
}
