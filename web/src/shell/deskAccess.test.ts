import { describe, expect, it } from "vitest";
import type { Permission } from "../auth/permissions";
import { DESK_ACCESS } from "./deskAccess";

// Some roles' permissions as the server's table gives them (README "Roles", GET /api/roles).
const ROLES: Record<string, string[]> = {
  operator: ["alarms:ack", "alarms:read", "city:read", "devices:read", "events:read", "incidents:read", "incidents:write", "shifts:read", "tokens:write", "units:read", "video:playback", "video:view", "districts:read"],
  admin: ["alarms:read", "alarms:rules", "city:read", "city:write", "devices:read", "devices:write", "events:read", "incidents:read", "settings:read", "simulation:run", "tokens:write", "units:read", "units:write", "users:read", "users:write", "video:admin"],
  auditor: ["audit:read", "audit:verify", "city:read", "events:read", "tokens:write", "users:read"],
  analyst: ["city:read", "devices:read", "events:read", "incidents:read", "stats:read", "tokens:write", "appeals:read", "offences:read"],
  inspector: ["city:read", "devices:read", "events:read", "incidents:read", "appeals:read", "appeals:write", "appeals:personal", "districts:read"],
};

function visible(role: string): string[] {
  const user = { permissions: ROLES[role] as Permission[] };
  return Object.entries(DESK_ACCESS).filter(([, may]) => may(user)).map(([id]) => id);
}

describe("desk access", () => {
  it("shows each role only the desks whose API it may read", () => {
    expect(visible("auditor")).toEqual(["map", "audit"]);
    expect(visible("operator")).toEqual(["map", "alarms", "incidents", "units", "video", "shifts", "districts"]);
    expect(visible("admin")).toEqual(["map", "alarms", "incidents", "units", "video", "admin"]);
    expect(visible("analyst")).toEqual(["map", "incidents", "stats", "coverage", "appeals", "service", "offences"]);
    expect(visible("inspector")).toEqual(["map", "incidents", "districts", "appeals", "service"]);
  });
});
