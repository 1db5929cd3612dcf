/**
 * The unit app's own shapes. Its API shapes are the server's, generated from the OpenAPI document and named in
 * the desks' API modules (`Assignment`, `MyUnit`, `Progress`, `UnitItem` in ../api/units; `IncidentDetail`,
 * `IncidentNote`, `IncidentCategory` in ../api/incidents).
 */

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
