import { Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { fetchDistrictAt, type DistrictAt } from "../../api/districts";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { districtName } from "./figures";

/** The police district an incident fell into, under the districts in force when it was received. */
export function IncidentDistrict({ lon, lat, at }: { lon: number | null; lat: number | null; at: string | null }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const allowed = hasPermission(user, PERMISSIONS.districtsRead);
  const [found, setFound] = useState<DistrictAt | null>(null);
  useEffect(() => {
    if (!allowed || lon === null || lat === null) return;
    const controller = new AbortController();
    fetchDistrictAt(lon, lat, at, { signal: controller.signal }).then(setFound).catch(() => setFound(null));
    return () => controller.abort();
  }, [allowed, lon, lat, at]);
  if (!allowed || lon === null || lat === null || !found) return null;
  const inspectors = t("districts.incidentDistrict", { name: districtName(found, lang), version: found.version });
  return <Text size="xs" c="dimmed" data-testid="incident-district" data-number={found.number}>{inspectors}</Text>;
}
