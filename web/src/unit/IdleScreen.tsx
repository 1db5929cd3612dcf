import { Alert, Button, Stack, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import type { MyUnitApi } from "./useMyUnit";
import type { UnitItem } from "../api/units";

/** No assignment: my unit's status, what the app is doing, the last assignment's outcome. */
export function IdleScreen({
  my,
  unit,
  onDuty,
  canReport,
  lastSentAt,
}: {
  my: MyUnitApi;
  unit: UnitItem;
  onDuty: boolean;
  canReport: boolean;
  lastSentAt: number | null;
}) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const closed = my.state.closed;
  return (
    <Stack gap="md" data-testid="unit-idle">
      {closed && (
        <Alert
          data-testid="unit-closed-notice"
          data-stage={closed.stage}
          color={closed.stage === "resolved" ? "green" : "blue"}
          variant="filled"
          withCloseButton
          closeButtonLabel={t("unit.closed.dismiss")}
          onClose={my.dismissClosed}
        >
          <Text fw={700} size="lg">
            {tMaybe(`unit.closed.${closed.stage}`, { number: closed.number ?? "—" }) ?? closed.stage}
          </Text>
        </Alert>
      )}
      <div className="unit-card">
        <div className="unit-label">{t("unit.statusLabel")}</div>
        <div className="unit-status-big" data-testid="unit-status" data-status={unit.status}>
          {tMaybe(`unit.status.${unit.status}`) ?? unit.status}
        </div>
        <Text mt="sm" size="lg">
          {unit.status === "off_duty" || !unit.active ? t("unit.idle.offDuty") : t("unit.idle.waiting")}
        </Text>
        {onDuty && (
          <Text mt="xs" c="dimmed" data-testid="unit-last-sent">
            {lastSentAt
              ? t("unit.idle.positionSent", { time: formatInstant(lastSentAt, { timeZone, withSeconds: false }) })
              : t("unit.idle.positionNotYet")}
          </Text>
        )}
        {!canReport && (
          <Text mt="xs" c="orange" data-testid="unit-no-report">
            {t("unit.noReport")}
          </Text>
        )}
      </div>
      <Button data-testid="unit-refresh" size="xl" variant="default" className="unit-big-button" onClick={my.reload}>
        {t("unit.refresh")}
      </Button>
    </Stack>
  );
}
