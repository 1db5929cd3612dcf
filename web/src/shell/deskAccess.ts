import type { SessionUser } from "../api/types";
import { PERMISSIONS, hasPermission, type Permission } from "../auth/permissions";
import type { DeskId } from "./desks";

/**
 * Who may open each desk: the permission of the API the desk reads, so nobody is shown a desk that answers 403
 * (an auditor sees the audit desk, not the alarm desk). The server stays the authority; this only hides.
 */
type User = Pick<SessionUser, "permissions">;

const any = (...permissions: Permission[]) => (user: User) => permissions.some((p) => hasPermission(user, p));

/** The administration desk's sections with the permission their writes (settings: its read) need. */
export const ADMIN_SECTIONS = {
  users: PERMISSIONS.usersWrite,
  units: PERMISSIONS.unitsWrite,
  devices: PERMISSIONS.devicesWrite,
  sites: PERMISSIONS.devicesWrite,
  rules: PERMISSIONS.alarmsRules,
  settings: PERMISSIONS.settingsRead,
} as const satisfies Record<string, Permission>;

export const DESK_ACCESS = {
  // The base map needs city:read, the devices devices:read; the desk shows what the user may see.
  map: any(PERMISSIONS.cityRead, PERMISSIONS.devicesRead),
  alarms: any(PERMISSIONS.alarmsRead),
  incidents: any(PERMISSIONS.incidentsRead),
  units: any(PERMISSIONS.unitsRead),
  // A video administrator without video:view still sets cameras up there (groups, recording, masks).
  video: any(PERMISSIONS.videoView, PERMISSIONS.videoAdmin),
  stats: any(PERMISSIONS.statsRead),
  // Any of its sections; an auditor reads the accounts but changes none, so does not see it.
  admin: any(...Object.values(ADMIN_SECTIONS)),
  audit: any(PERMISSIONS.auditRead),
  shifts: any(PERMISSIONS.shiftsRead),
  districts: any(PERMISSIONS.districtsRead),
  // Coverage and post placement are the district's figures: supervisors and analysts (stats:read).
  coverage: any(PERMISSIONS.statsRead),
  // Residents' appeals: the inspectors who answer them and the supervisors who watch the deadlines.
  appeals: any(PERMISSIONS.appealsRead),
  // The service model's figures per district and inspector (residents, coverage, appeals, satisfaction).
  service: any(PERMISSIONS.statsRead, PERMISSIONS.appealsRead),
  // Offence statistics: the registry's figures, hot spots and the official forms.
  offences: any(PERMISSIONS.statsRead),
  // Number plates: searching reads (audited), watch lists, the roads cameras' calibration.
  roads: any(PERMISSIONS.roadsRead, PERMISSIONS.roadsWatchlists, PERMISSIONS.roadsCalibrate),
  // Speed and red-light violations waiting for an officer's decision; administrators calibrate cameras there.
  violations: any(PERMISSIONS.violationsReview, PERMISSIONS.roadsCalibrate),
} as const satisfies Record<DeskId, (user: User) => boolean>;
