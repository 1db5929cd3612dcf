import { Alert, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { useNow } from "../shell/time";
import { gpsView } from "./gpsView";
import type { GpsReading } from "./useGeolocation";

/** Says plainly when the phone's position cannot be sent, and what to do about it. */
export function GpsAlert({ gps }: { gps: GpsReading }) {
  const { t } = useI18n();
  const now = useNow(5000).getTime();
  const view = gpsView(gps, now);
  if (view.tone !== "bad") return null;
  return (
    <Alert data-testid="gps-alert" data-state={view.state} color="red" variant="light" title={t(view.key, view.vars)}>
      {view.state === "denied" && <Text>{t("unit.gps.deniedHint")}</Text>}
      {view.state !== "denied" && <Text>{t("unit.gps.noPositionHint")}</Text>}
    </Alert>
  );
}
