/**
 * Camera optics for the device card and the field-of-view wedge: a camera's own values, else its purpose's
 * default. Pure (unit-tested under Node).
 */
import type { CardDevice } from "./model";

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * Field of view and range the registry assumes for a camera that does not
 * state its own, by purpose (the defaults of the backend's devices config,
 * which uses them for "nearest cameras"). Only for drawing: the card says when
 * a value is such a default.
 */
export const DEFAULT_OPTICS: Record<string, { fov_deg: number; range_m: number }> = {
  public_space: { fov_deg: 90, range_m: 60 },
  yard: { fov_deg: 100, range_m: 40 },
  intersection: { fov_deg: 70, range_m: 80 },
  speed: { fov_deg: 20, range_m: 100 },
  city_entry_anpr: { fov_deg: 30, range_m: 40 },
  social_object: { fov_deg: 95, range_m: 40 },
  police_post: { fov_deg: 90, range_m: 50 },
  situation_center: { fov_deg: 90, range_m: 40 },
};

export interface CameraOptics {
  lon: number | null;
  lat: number | null;
  heading_deg: number | null;
  fov_deg: number | null;
  range_m: number | null;
  /** The value is the purpose's default, not the camera's own. */
  fovDefault: boolean;
  rangeDefault: boolean;
}

/**
 * A camera's optics for the card and the wedge: its own values, else the
 * purpose's default. Heading is never assumed.
 */
export function cameraOptics(device: CardDevice | null | undefined): CameraOptics {
  const d: Partial<CardDevice> = device ?? {};
  const defaults = DEFAULT_OPTICS[typeof d.purpose === "string" ? d.purpose : "public_space"] ?? DEFAULT_OPTICS.public_space;
  const ownFov = num(d.fov_deg);
  const ownRange = num(d.range_m);
  return {
    lon: num(d.lon),
    lat: num(d.lat),
    heading_deg: num(d.heading_deg),
    fov_deg: ownFov ?? defaults.fov_deg,
    range_m: ownRange ?? defaults.range_m,
    fovDefault: ownFov === null,
    rangeDefault: ownRange === null,
  };
}
