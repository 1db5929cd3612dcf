import type { ComponentType } from "react";
import type { SessionUser } from "../api/types";
import { PERMISSIONS, hasPermission } from "../auth/permissions";
import { AdminDesk, canAdminister } from "../desks/admin/AdminDesk";
import { AlarmsDesk } from "../desks/alarms/AlarmsDesk";
import { AuditDesk } from "../desks/audit/AuditDesk";
import { IncidentsDesk } from "../desks/incidents/IncidentsDesk";
import { MapDesk } from "../desks/map/MapDesk";
import { StatsDesk } from "../desks/stats/StatsDesk";
import { UnitsDesk } from "../desks/units/UnitsDesk";
import { VideoDesk } from "../desks/video/VideoDesk";
import { IconAdmin, IconAlarm, IconIncident, IconMap, IconShield, IconStats, IconUnits, IconVideo, type IconProps } from "./icons";

export type DeskId = "map" | "alarms" | "incidents" | "units" | "video" | "stats" | "admin" | "audit";

export interface DeskDefinition {
  id: DeskId;
  /** Route; sub-paths (/incidents/42) belong to the same desk. */
  path: `/${string}`;
  icon: ComponentType<IconProps>;
  component: ComponentType;
  /** Whether the user may see the desk in the navigation and open it: the permission its main API reads need, so
   * nobody is shown a desk that answers 403 (an auditor sees the audit desk, not the alarm desk). */
  isVisible: (user: SessionUser) => boolean;
}

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
  {
    id: "alarms",
    path: "/alarms",
    icon: IconAlarm,
    component: AlarmsDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.alarmsRead),
  },
  {
    id: "incidents",
    path: "/incidents",
    icon: IconIncident,
    component: IncidentsDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.incidentsRead),
  },
  {
    id: "units",
    path: "/units",
    icon: IconUnits,
    component: UnitsDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.unitsRead),
  },
  {
    id: "video",
    path: "/video",
    icon: IconVideo,
    component: VideoDesk,
    // A video administrator without video:view still sets cameras up there (groups, recording, masks).
    isVisible: (user) => hasPermission(user, PERMISSIONS.videoView) || hasPermission(user, PERMISSIONS.videoAdmin),
  },
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
    // Any of its sections (accounts, crews, registry, rules, settings); an auditor reads accounts but changes none.
    isVisible: canAdminister,
  },
  {
    id: "audit",
    path: "/audit",
    icon: IconShield,
    component: AuditDesk,
    isVisible: (user) => hasPermission(user, PERMISSIONS.auditRead),
  },
];

export const DEFAULT_PATH = "/map";

export function findDesk(pathname: string): DeskDefinition | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return DESKS.find((desk) => path === desk.path || path.startsWith(`${desk.path}/`));
}
