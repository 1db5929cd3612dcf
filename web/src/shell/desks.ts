import type { ComponentType } from "react";
import type { SessionUser } from "../api/types";
import { AdminDesk } from "../desks/admin/AdminDesk";
import { AlarmsDesk } from "../desks/alarms/AlarmsDesk";
import { AuditDesk } from "../desks/audit/AuditDesk";
import { IncidentsDesk } from "../desks/incidents/IncidentsDesk";
import { MapDesk } from "../desks/map/MapDesk";
import { StatsDesk } from "../desks/stats/StatsDesk";
import { UnitsDesk } from "../desks/units/UnitsDesk";
import { ShiftsDesk } from "../desks/shifts/ShiftsDesk";
import { DistrictsDesk } from "../desks/districts/DistrictsDesk";
import { CoverageDesk } from "../desks/reach/CoverageDesk";
import { VideoDesk } from "../desks/video/VideoDesk";
import { AppealsDesk } from "../desks/appeals/AppealsDesk";
import { ServiceDesk } from "../desks/service/ServiceDesk";
import { OffencesDesk } from "../desks/offences/OffencesDesk";
import { RoadsDesk } from "../desks/roads/RoadsDesk";
import { ViolationsDesk } from "../desks/violations/ViolationsDesk";
import { DESK_ACCESS } from "./deskAccess";
import { IconAdmin, IconAlarm, IconDistricts, IconHandover, IconIncident, IconMap, IconShield, IconStats, IconUnits, IconVideo, type IconProps } from "./icons";

export type DeskId = "map" | "alarms" | "incidents" | "units" | "video" | "stats" | "admin" | "audit" | "shifts" | "districts" | "coverage" | "appeals" | "service" | "offences" | "roads" | "violations";

export interface DeskDefinition {
  id: DeskId;
  /** Route; sub-paths (/incidents/42) belong to the same desk. */
  path: `/${string}`;
  icon: ComponentType<IconProps>;
  component: ComponentType;
  /** Whether the user may see the desk in the navigation and open it (see deskAccess.ts). */
  isVisible: (user: SessionUser) => boolean;
}

/** Navigation order. Title keys are `nav.<id>`. */
export const DESKS: readonly DeskDefinition[] = [
  {
    id: "map",
    path: "/map",
    icon: IconMap,
    component: MapDesk,
    isVisible: DESK_ACCESS.map,
  },
  {
    id: "alarms",
    path: "/alarms",
    icon: IconAlarm,
    component: AlarmsDesk,
    isVisible: DESK_ACCESS.alarms,
  },
  {
    id: "incidents",
    path: "/incidents",
    icon: IconIncident,
    component: IncidentsDesk,
    isVisible: DESK_ACCESS.incidents,
  },
  {
    id: "units",
    path: "/units",
    icon: IconUnits,
    component: UnitsDesk,
    isVisible: DESK_ACCESS.units,
  },
  {
    id: "video",
    path: "/video",
    icon: IconVideo,
    component: VideoDesk,
    isVisible: DESK_ACCESS.video,
  },
  {
    id: "stats",
    path: "/stats",
    icon: IconStats,
    component: StatsDesk,
    isVisible: DESK_ACCESS.stats,
  },
  {
    id: "admin",
    path: "/admin",
    icon: IconAdmin,
    component: AdminDesk,
    isVisible: DESK_ACCESS.admin,
  },
  {
    id: "audit",
    path: "/audit",
    icon: IconShield,
    component: AuditDesk,
    isVisible: DESK_ACCESS.audit,
  },
  {
    id: "shifts",
    path: "/shifts",
    icon: IconHandover,
    component: ShiftsDesk,
    isVisible: DESK_ACCESS.shifts,
  },
  {
    id: "districts",
    path: "/districts",
    icon: IconDistricts,
    component: DistrictsDesk,
    isVisible: DESK_ACCESS.districts,
  },
  {
    id: "coverage",
    path: "/coverage",
    icon: IconMap,
    component: CoverageDesk,
    isVisible: DESK_ACCESS.coverage,
  },
  {
    id: "appeals",
    path: "/appeals",
    icon: IconIncident,
    component: AppealsDesk,
    isVisible: DESK_ACCESS.appeals,
  },
  {
    id: "service",
    path: "/service",
    icon: IconDistricts,
    component: ServiceDesk,
    isVisible: DESK_ACCESS.service,
  },
  {
    id: "offences",
    path: "/offences",
    icon: IconStats,
    component: OffencesDesk,
    isVisible: DESK_ACCESS.offences,
  },
  {
    id: "roads",
    path: "/roads",
    icon: IconVideo,
    component: RoadsDesk,
    isVisible: DESK_ACCESS.roads,
  },
  {
    id: "violations",
    path: "/violations",
    icon: IconShield,
    component: ViolationsDesk,
    isVisible: DESK_ACCESS.violations,
  },
];

export const DEFAULT_PATH = "/map";

export function findDesk(pathname: string): DeskDefinition | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return DESKS.find((desk) => path === desk.path || path.startsWith(`${desk.path}/`));
}
