import { ActionIcon } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { IconUser } from "../shell/icons";
import { useNow } from "../shell/time";
import { gpsView } from "./gpsView";
import { useUnitStream } from "./liveStream";
import { SettingsDrawer } from "./SettingsDrawer";
import type { UnitItem } from "../api/units";
import type { GpsReading } from "./useGeolocation";

export function UnitHeader({
  unit,
  gps,
  sendFailing,
  onDuty,
}: {
  unit: UnitItem | null;
  gps: GpsReading;
  sendFailing: boolean;
  onDuty: boolean;
}) {
  const { t, tMaybe } = useI18n();
  const [open, setOpen] = useState(false);
  const { state: connection } = useUnitStream();
  const now = useNow(5000).getTime();
  const view = gpsView(gps, now, sendFailing);
  const connTone = connection === "open" ? "ok" : connection === "connecting" ? "warn" : "bad";

  return (
    <header className="unit-header" data-testid="unit-header">
      <div style={{ flex: 1, minWidth: 0 }}>
        <div className="unit-code" data-testid="unit-code">
          {unit?.code ?? "—"}
        </div>
        {unit && (
          <div style={{ fontSize: "0.875rem", opacity: 0.9, whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>
            {unit.name} · {tMaybe(`unit.kind.${unit.kind}`) ?? unit.kind}
          </div>
        )}
      </div>
      {onDuty && (
        <span className="unit-chip" data-testid="gps-status" data-state={view.state} data-tone={view.tone} title={t(view.key, view.vars)}>
          <span className="unit-dot" aria-hidden />
          {t(view.shortKey)}
        </span>
      )}
      <span className="unit-chip" data-testid="unit-conn" data-state={connection} data-tone={connTone} title={t(`unit.conn.${connection}`)}>
        <span className="unit-dot" aria-hidden />
        {connection === "open" ? t("unit.conn.short.open") : t("unit.conn.short.off")}
      </span>
      <ActionIcon
        data-testid="unit-menu"
        variant="white"
        color="dark"
        size={44}
        radius="xl"
        aria-label={t("unit.settings")}
        onClick={() => setOpen(true)}
      >
        <IconUser size={24} />
      </ActionIcon>
      <SettingsDrawer opened={open} onClose={() => setOpen(false)} />
    </header>
  );
}
