import { Alert, Button, Group, Stack, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { describeError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import { IncidentDetails } from "./IncidentDetails";
import type { IncidentDetail } from "../api/incidents";
import type { Assignment } from "../api/units";
import type { Fix } from "./types";
import type { MyUnitApi } from "./useMyUnit";

const QUICK_REASONS = ["busy", "far", "vehicle"] as const;
export const MAX_REASON = 300;

/** An incoming dispatch: the incident, accept, or decline with a reason. */
export function DispatchCard({
  my,
  assignment,
  incident,
  fix,
  canReport,
}: {
  my: MyUnitApi;
  assignment: Assignment;
  incident: IncidentDetail | null;
  fix: Fix | null;
  canReport: boolean;
}) {
  const { t, tMaybe } = useI18n();
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const busy = my.state.busy;

  const submitDecline = () => {
    const text = reason.trim();
    if (!text) {
      setMissing(true);
      return;
    }
    void my.decline(text.slice(0, MAX_REASON));
  };

  return (
    <div className="unit-card unit-dispatch" data-testid="dispatch-card" data-assignment-id={assignment.id} role="alertdialog" aria-labelledby="dispatch-title">
      <Stack gap="md">
        <Title id="dispatch-title" order={1} size="1.75rem" c="red.8">
          {t("unit.dispatch.title")}
        </Title>
        <IncidentDetails incident={incident} assignment={assignment} fix={fix} />
        {my.state.actionError != null && (
          <Alert data-testid="unit-action-error" color="red" variant="filled" withCloseButton onClose={my.dismissError}>
            {describeError(my.state.actionError, tMaybe).message}
          </Alert>
        )}
        {canReport && !declining && (
          <Stack gap="sm">
            <Button
              data-testid="dispatch-accept"
              size="xl"
              color="green"
              className="unit-big-button"
              loading={busy === "accept"}
              disabled={busy !== null && busy !== "accept"}
              onClick={() => void my.accept()}
            >
              {t("unit.dispatch.accept")}
            </Button>
            <Button
              data-testid="dispatch-decline"
              size="xl"
              color="dark"
              variant="outline"
              className="unit-big-button"
              disabled={busy !== null}
              onClick={() => setDeclining(true)}
            >
              {t("unit.dispatch.decline")}
            </Button>
          </Stack>
        )}
        {canReport && declining && (
          <Stack gap="sm" data-testid="decline-form">
            <Group gap="xs">
              {QUICK_REASONS.map((r) => {
                const text = t(`unit.dispatch.reasons.${r}`);
                const chosen = reason === text;
                return (
                  <Button
                    key={r}
                    data-testid={`decline-quick-${r}`}
                    size="md"
                    radius="xl"
                    variant={chosen ? "filled" : "default"}
                    aria-pressed={chosen}
                    onClick={() => {
                      setReason(text);
                      setMissing(false);
                    }}
                  >
                    {text}
                  </Button>
                );
              })}
            </Group>
            <Textarea
              data-testid="decline-reason"
              label={t("unit.dispatch.reasonLabel")}
              placeholder={t("unit.dispatch.reasonPlaceholder")}
              size="lg"
              autosize
              minRows={2}
              maxLength={MAX_REASON}
              value={reason}
              error={missing ? t("unit.dispatch.reasonRequired") : undefined}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                setMissing(false);
              }}
            />
            <Button
              data-testid="decline-confirm"
              size="xl"
              color="red"
              className="unit-big-button"
              loading={busy === "decline"}
              onClick={submitDecline}
            >
              {t("unit.dispatch.confirmDecline")}
            </Button>
            <Button data-testid="decline-cancel" size="lg" variant="subtle" disabled={busy !== null} onClick={() => setDeclining(false)}>
              {t("unit.dispatch.cancel")}
            </Button>
          </Stack>
        )}
      </Stack>
    </div>
  );
}
