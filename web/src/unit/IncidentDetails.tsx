import { Anchor, Badge, Group, Stack, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import { etaMinutes, formatKm, priorityTone, telHref } from "./format";
import { distanceM } from "./throttle";
import type { IncidentDetail } from "../api/incidents";
import type { Assignment } from "../api/units";
import type { Fix } from "./types";
import { useCategoryNames } from "./useCategories";

/** The incident in large type: what, where, how urgent, how far. */
export function IncidentDetails({
  incident,
  assignment,
  fix,
}: {
  incident: IncidentDetail | null;
  assignment: Assignment;
  fix: Fix | null;
}) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const categories = useCategoryNames();
  if (!incident) return null;
  const eta = etaMinutes(assignment.eta_s);
  const away =
    fix && incident.lon !== null && incident.lat !== null
      ? formatKm(distanceM(fix, { lon: incident.lon, lat: incident.lat }))
      : null;
  const tel = telHref(incident.caller_phone);

  return (
    <Stack gap="sm" data-testid="incident-details" data-incident-id={incident.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Text className="unit-status-big" data-testid="incident-category">
            {categories[incident.category] ?? incident.category}
          </Text>
          <Text size="sm" c="dimmed" data-testid="incident-number">
            № {incident.number} · {t("unit.incident.received")} {formatInstant(incident.received_at, { timeZone, withSeconds: false })}
          </Text>
        </div>
        <Badge
          size="xl"
          color={priorityTone(incident.priority)}
          variant="filled"
          data-testid="incident-priority"
          style={{ flexShrink: 0, overflow: "visible" }}
        >
          {t("unit.incident.priority", { priority: incident.priority })}
        </Badge>
      </Group>
      <div>
        <div className="unit-label">{t("unit.incident.address")}</div>
        <div className="unit-value" data-testid="incident-address">
          {incident.address || t("unit.incident.noAddress")}
        </div>
      </div>
      {(eta !== null || away !== null) && (
        <Text size="lg" fw={700} data-testid="incident-eta">
          {[eta !== null ? t("unit.incident.eta", { minutes: eta }) : null, away !== null ? t("unit.incident.distance", { km: away }) : null]
            .filter(Boolean)
            .join(" · ")}
        </Text>
      )}
      {incident.description && (
        <div>
          <div className="unit-label">{t("unit.incident.description")}</div>
          <div className="unit-value" data-testid="incident-description" style={{ whiteSpace: "pre-wrap" }}>
            {incident.description}
          </div>
        </div>
      )}
      {(incident.caller_name || incident.caller_phone) && (
        <div data-testid="incident-caller">
          <div className="unit-label">{t("unit.incident.caller")}</div>
          <div className="unit-value">
            {incident.caller_name}
            {incident.caller_name && incident.caller_phone ? " · " : ""}
            {tel ? <Anchor href={tel}>{incident.caller_phone}</Anchor> : incident.caller_phone}
          </div>
        </div>
      )}
    </Stack>
  );
}
