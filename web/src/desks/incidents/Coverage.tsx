import { Alert, Badge, Button, CloseButton, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";
import type { IncidentItem } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";

/** On an incident card: no unit covers it (its last one declined or was released), or a unit's dispatch stalls. */
export function CoverageBadges({ incident }: { incident: Pick<IncidentItem, "uncovered_at" | "uncovered_reason" | "units_stalled"> }) {
  const { t } = useI18n();
  const stalled = incident.units_stalled ?? 0;
  return (
    <>
      {incident.uncovered_at && (
        <Badge size="xs" color="red" variant="filled" className="stall-flag" data-testid="incident-uncovered" title={incident.uncovered_reason ?? t("incidents.coverage.uncoveredTitle")}>
          {t("incidents.coverage.uncovered")}
        </Badge>
      )}
      {stalled > 0 && (
        <Badge size="xs" color="red" variant="outline" data-testid="incident-stalled" data-count={stalled}>
          {t("incidents.coverage.stalled", { count: stalled })}
        </Badge>
      )}
    </>
  );
}

/** In the incident's panel: why no unit covers it. */
export function UncoveredNotice({ incident, declinedBy }: { incident: Pick<IncidentItem, "uncovered_at" | "uncovered_reason">; declinedBy: string | null }) {
  const { t } = useI18n();
  if (!incident.uncovered_at) return null;
  return (
    <Alert color="red" variant="light" py={6} title={t("incidents.coverage.uncoveredTitle")} data-testid="incident-uncovered-notice">
      {incident.uncovered_reason
        ? t("incidents.coverage.declinedBy", { unit: declinedBy ?? "—", reason: incident.uncovered_reason })
        : t("incidents.coverage.released")}
    </Alert>
  );
}

interface Declined {
  key: string;
  unit: string;
  incidentId: number;
  reason: string;
}

/**
 * Declined dispatches as alerts on the desk, from `units.assignment_changed` (stage declined), each with the
 * crew's reason and a link to the incident, until dismissed.
 */
export function DeclineAlerts({ numberOf, onOpen }: { numberOf: (id: number) => string | undefined; onOpen: (id: number) => void }) {
  const { t } = useI18n();
  const [alerts, setAlerts] = useState<Declined[]>([]);
  useLiveEventHandler((event) => {
    const p = event.payload;
    if (event.name !== "units.assignment_changed" || p.stage !== "declined") return;
    if (typeof p.unit_code !== "string" || typeof p.incident_id !== "number") return;
    const alert: Declined = { key: String(event.id), unit: p.unit_code, incidentId: p.incident_id, reason: typeof p.reason === "string" ? p.reason : "" };
    setAlerts((current) => [alert, ...current.filter((a) => a.key !== alert.key)].slice(0, 5));
  });
  if (alerts.length === 0) return null;
  return (
    <Stack gap={4} mb="xs">
      {alerts.map((a) => (
        <Alert key={a.key} color="red" variant="filled" py={6} data-testid="decline-alert" data-incident-id={a.incidentId} data-unit={a.unit}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" fw={500}>
              {t("incidents.coverage.alertTitle")}: {t("incidents.coverage.alertText", { unit: a.unit, number: numberOf(a.incidentId) ?? `#${a.incidentId}`, reason: a.reason })}
            </Text>
            <Group gap={4} wrap="nowrap">
              <Button size="compact-xs" variant="white" color="red" onClick={() => onOpen(a.incidentId)} data-testid="decline-alert-open">
                {t("incidents.coverage.open")}
              </Button>
              <CloseButton size="sm" variant="transparent" c="white" aria-label={t("incidents.close")} onClick={() => setAlerts((c) => c.filter((x) => x.key !== a.key))} />
            </Group>
          </Group>
        </Alert>
      ))}
    </Stack>
  );
}
