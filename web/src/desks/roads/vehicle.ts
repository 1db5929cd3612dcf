/** A read's vehicle in words (pure): its class and its colour, the colour named in the UI's language. */

type Translate = (key: string) => string | undefined;

export function vehicleWords(vehicleClass: string | null | undefined, colour: string | null | undefined, tMaybe: Translate): string {
  // The colour is a palette code (roads.plates.attributes.Colour); an unknown code is shown as it came.
  const named = colour ? tMaybe(`roads.colour.${colour}`) ?? colour : null;
  return [vehicleClass, named].filter(Boolean).join(", ") || "—";
}
