import { Stack, Text } from "@mantine/core";
import type { components } from "../../api/schema";
import { useI18n } from "../../i18n/I18nProvider";
import { nameIn, type Names } from "./place";

export type AlarmPlace = components["schemas"]["AlarmPlace"];

/**
 * Where an alarm or incident is, as an operator names it: the site ("Школа №3"), its street address, the zone
 * that reported ("Зона 1 · Пост охраны") and the settlement, in the interface language.
 */
export function PlaceCard({ place, address, area, testId }: {
  place: AlarmPlace | null | undefined;
  /** The address to show where there is no site (a 102 call). */
  address?: string | null;
  area?: Names | string | null;
  testId: string;
}) {
  const { t, lang } = useI18n();
  const name = nameIn(place?.name, lang);
  const shownAddress = place?.address ?? address ?? null;
  const areaNames = place?.area ?? area ?? null;
  const areaName = typeof areaNames === "string" ? areaNames : nameIn(areaNames, lang);
  const zoneName = nameIn(place?.zone_name, lang);
  const zone = place?.zone ? (zoneName ? t("place.zoneNamed", { zone: place.zone, name: zoneName }) : t("place.zone", { zone: place.zone })) : null;
  return (
    <Stack gap={0} data-testid={testId} data-site={place?.site_code ?? ""}>
      {name && <Text fw={600} size="sm" data-testid={`${testId}-name`}>{name}</Text>}
      <Text size="sm" data-testid={`${testId}-address`}>{t("place.address", { address: shownAddress ?? "—" })}</Text>
      {zone && <Text size="sm" data-testid={`${testId}-zone`}>{zone}</Text>}
      {areaName && <Text size="xs" c="dimmed" data-testid={`${testId}-area`}>{t("place.area", { area: areaName })}</Text>}
    </Stack>
  );
}
