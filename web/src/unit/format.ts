/** Small text helpers of the unit app (pure, unit-tested). */

/** Whole minutes of an ETA, at least 1; null when unknown. */
export function etaMinutes(etaS: number | null | undefined): number | null {
  if (etaS === null || etaS === undefined || !Number.isFinite(etaS) || etaS < 0) return null;
  return Math.max(1, Math.round(etaS / 60));
}

/** Length of a lon/lat line in metres. */
export function lineLengthM(coordinates: readonly (readonly number[])[], distance: (a: { lon: number; lat: number }, b: { lon: number; lat: number }) => number): number {
  let total = 0;
  for (let i = 1; i < coordinates.length; i += 1) {
    const [ax, ay] = coordinates[i - 1];
    const [bx, by] = coordinates[i];
    total += distance({ lon: ax, lat: ay }, { lon: bx, lat: by });
  }
  return total;
}

/** "1.2" km with one decimal below 10 km, whole km above. */
export function formatKm(metres: number): string {
  const km = metres / 1000;
  return km < 10 ? km.toFixed(1) : String(Math.round(km));
}

/** A `tel:` link for a phone number as stored (digits, +, spaces, brackets, dashes); null if none. */
export function telHref(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = phone.replace(/[^0-9+]/g, "");
  return digits.length >= 3 ? `tel:${digits}` : null;
}

/** Priority 1 … 255 (1 most urgent) → a colour band for the badge. */
export function priorityTone(priority: number): "red" | "orange" | "yellow" | "gray" {
  if (priority <= 10) return "red";
  if (priority <= 30) return "orange";
  if (priority <= 80) return "yellow";
  return "gray";
}
