/** Shapes of the unit app's endpoints (see src/qorgau/units/schemas.py and incidents/schemas.py). */

import type { AssignmentStage, UnitItem } from "../api/units";

export type Stage = AssignmentStage;

/** What a unit reports from the app after accepting. */
export type Progress = "en_route" | "on_scene" | "resolved";

// The unit board's shapes are the unit app's too: one definition in the desks' API module.
export type { UnitKind, UnitStatus } from "../api/units";
export type UnitInfo = UnitItem;

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
