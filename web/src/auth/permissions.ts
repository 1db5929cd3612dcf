import type { SessionUser } from "../api/types";

/** Permission keys the shell checks today (the backend is the authority; this only hides UI). */
export const PERMISSIONS = {
  usersRead: "users:read",
  statsRead: "stats:read",
  cityRead: "city:read",
  devicesRead: "devices:read",
  videoView: "video:view",
  // The server's table has these since issue 10; listed here until the generated types name them.
  videoPlayback: "video:playback" as Permission,
  videoExport: "video:export",
  videoAdmin: "video:admin" as Permission,
  alarmsRead: "alarms:read",
  alarmsRules: "alarms:rules",
  incidentsRead: "incidents:read",
  unitsRead: "units:read",
  unitsWrite: "units:write",
  usersWrite: "users:write",
  devicesWrite: "devices:write",
  settingsRead: "settings:read",
  auditRead: "audit:read",
  auditVerify: "audit:verify",
  shiftsRead: "shifts:read",
  shiftsHandover: "shifts:handover",
  // Issue 13's police districts; listed here until the generated types name them.
  districtsRead: "districts:read" as Permission,
  districtsWrite: "districts:write" as Permission,
  // Issues 13 and 14: appeals and the offence registry; listed here until the generated types name them.
  appealsRead: "appeals:read" as Permission,
  appealsWrite: "appeals:write" as Permission,
  appealsPersonal: "appeals:personal" as Permission,
  offencesRead: "offences:read" as Permission,
  offencesWrite: "offences:write" as Permission,
  // Issue 12: plate reads, watch lists, calibration and the violations' review.
  roadsRead: "roads:read" as Permission,
  roadsWatchlists: "roads:watchlists" as Permission,
  roadsCalibrate: "roads:calibrate" as Permission,
  violationsReview: "violations:review" as Permission,
  // Issue 15: SOS-terminal and 102 calls answered in the browser, and their recordings.
  voiceAnswer: "voice:answer" as Permission,
  voiceRecordings: "voice:recordings" as Permission,
} as const;

/** A permission name as the server's OpenAPI document lists them (`resource:action`). */
export type Permission = SessionUser["permissions"][number];

export function hasPermission(user: Pick<SessionUser, "permissions"> | null | undefined, permission: Permission): boolean {
  return !!user && Array.isArray(user.permissions) && user.permissions.includes(permission);
}
