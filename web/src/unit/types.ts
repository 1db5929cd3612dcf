/** Shapes of the unit app's endpoints (see src/qorgau/units/schemas.py and incidents/schemas.py). */

export type Stage =
  | "dispatched"
  | "accepted"
  | "declined"
  | "en_route"
  | "on_scene"
  | "resolved"
  | "cleared"
  | "reassigned";

/** What a unit reports from the app after accepting. */
export type Progress = "en_route" | "on_scene" | "resolved";

export type UnitStatus = "available" | "dispatched" | "en_route" | "on_scene" | "busy" | "off_duty";

export type UnitKind = "patrol_car" | "foot_patrol" | "district_inspector" | "post";

export interface UnitInfo {
  code: string;
  kind: UnitKind | string;
  name: string;
  site_code: string | null;
  active: boolean;
  status: UnitStatus | string;
  status_changed_at: string;
  time_in_status_s: number;
  lon: number | null;
  lat: number | null;
  position_at: string | null;
  position_age_s: number | null;
  stale: boolean;
  members: number[];
  trackers: string[];
  assignment_id: number | null;
  incident_id: number | null;
}

export interface RouteLine {
  type: "LineString";
  coordinates: [number, number][];
}

export interface Assignment {
  id: number;
  unit_code: string;
  incident_id: number;
  stage: Stage;
  active: boolean;
  dispatched_by?: string;
  dispatched_at: string;
  accepted_at: string | null;
  declined_at: string | null;
  decline_reason: string | null;
  en_route_at: string | null;
  on_scene_at: string | null;
  ended_at: string | null;
  eta_s: number | null;
  route: RouteLine | null;
}

export interface IncidentNote {
  id: number;
  at: string;
  author: string;
  text: string;
}

export interface IncidentInfo {
  id: number;
  number: string;
  category: string;
  priority: number;
  state: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  area: string | null;
  description: string | null;
  received_at: string;
  dispatched_at: string | null;
  en_route_at: string | null;
  on_scene_at: string | null;
  resolved_at: string | null;
  caller_name?: string | null;
  caller_phone?: string | null;
  notes?: IncidentNote[];
}

export interface MyUnit {
  unit: UnitInfo;
  assignment: Assignment | null;
  incident: IncidentInfo | null;
}

export interface CategoryName {
  code: string;
  name: string;
  default_priority: number;
}

/** One GPS fix from navigator.geolocation, in the units the API takes. */
export interface Fix {
  lon: number;
  lat: number;
  /** Metres (68 % confidence), when the device says. */
  accuracy: number | null;
  /** Epoch ms when the fix was taken. */
  at: number;
  speed_kmh: number | null;
  heading_deg: number | null;
}
