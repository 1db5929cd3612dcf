/** Why a device's health changed, as an alarm raised on `devices.health_changed` carries it in its details (pure). */

export const HEALTH_CHANGED = "devices.health_changed";

/** The translation key of the reason (e.g. `map.healthReason.picture_covered`), or null for another alarm. */
export function healthReasonKey(details: Record<string, unknown> | null | undefined, eventName?: string | null): string | null {
  if (eventName !== HEALTH_CHANGED || !details) return null;
  const reason = details.reason;
  return typeof reason === "string" && /^[a-z_]{1,40}$/.test(reason) ? `map.healthReason.${reason}` : null;
}
