import { Alert, Button, Drawer } from "@mantine/core";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchIncident, fetchIncidentCategories, fetchIncidents, type IncidentCategory, type IncidentItem } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useEventStream, useLiveEventHandler } from "../../live/hooks";
import { DeskPage } from "../../shell/DeskPage";
import { navigate, usePathname } from "../../shell/router";
import { BOARD_COLUMNS, applyIncidentChange, incidentIdFromPath, parseIncidentChange, upsertIncident } from "./board";
import { DeclineAlerts } from "./Coverage";
import { IncidentBoard } from "./IncidentBoard";
import { IncidentDetailPanel } from "./IncidentDetailPanel";
import { IntakeForm } from "./IntakeForm";

/** The board's incidents, reloaded when the event stream (re)connects and merged with live events. */
function useBoard() {
  const { state } = useEventStream();
  const [items, setItems] = useState<IncidentItem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const loadedRef = useRef(false);
  useEffect(() => {
    if (state !== "open" && loadedRef.current) return;
    const controller = new AbortController();
    fetchIncidents(BOARD_COLUMNS, { signal: controller.signal })
      .then((page) => {
        loadedRef.current = true;
        setItems(page.items);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [state]);

  const refresh = useCallback((id: number) => {
    fetchIncident(id)
      .then((incident) => setItems((current) => upsertIncident(current, incident)))
      .catch(() => undefined);
  }, []);
  return { items, setItems, error, refresh };
}

function useCategories() {
  const [categories, setCategories] = useState<IncidentCategory[]>([]);
  const { lang } = useI18n();
  useEffect(() => {
    const controller = new AbortController();
    fetchIncidentCategories({ signal: controller.signal }).then(setCategories).catch(() => undefined);
    return () => controller.abort();
  }, [lang]);
  return categories;
}

export function IncidentsDesk() {
  const { t, tMaybe } = useI18n();
  const { user } = useSession();
  const canWrite = hasPermission(user, "incidents:write");
  const canDispatch = hasPermission(user, "units:dispatch");
  const canReadUnits = hasPermission(user, "units:read");
  const pathname = usePathname();
  const selectedId = incidentIdFromPath(pathname);
  const { items, setItems, error, refresh } = useBoard();
  const categories = useCategories();
  const categoryNames = useMemo(() => Object.fromEntries(categories.map((c) => [c.code, c.name])), [categories]);
  const [intakeOpen, setIntakeOpen] = useState(false);
  const [detailVersion, setDetailVersion] = useState(0);

  useLiveEventHandler((event) => {
    const incidentId = event.payload.incident_id;
    if (event.name.startsWith("incidents.")) {
      const change = parseIncidentChange(event.payload);
      if (change) {
        setItems((current) => applyIncidentChange(current, change).items);
        // The full row (times, allowed transitions, or an incident not on the board yet) comes from the API.
        if (change.state !== "closed") refresh(change.id);
      }
    }
    if ((event.name.startsWith("incidents.") || event.name === "units.assignment_changed") && incidentId === selectedId) {
      setDetailVersion((v) => v + 1);
    }
  });

  const actions = canWrite ? (
    <Button size="xs" onClick={() => setIntakeOpen(true)} data-testid="incident-intake-open">
      {t("incidents.intake.open")}
    </Button>
  ) : null;

  return (
    <DeskPage title={t("nav.incidents")} actions={actions}>
      <div data-testid="incidents-desk">
        {error !== null && <Alert color="red" mb="xs" data-testid="incidents-error">{describeError(error, tMaybe).message}</Alert>}
        <DeclineAlerts numberOf={(id) => items.find((i) => i.id === id)?.number} onOpen={(id) => navigate(`/incidents/${id}`)} />
        <IncidentBoard items={items} categoryNames={categoryNames} selectedId={selectedId} onOpen={(id) => navigate(`/incidents/${id}`)} />
      </div>
      <IntakeForm
        opened={intakeOpen}
        categories={categories}
        onClose={() => setIntakeOpen(false)}
        onCreated={(incident) => {
          setIntakeOpen(false);
          setItems((current) => upsertIncident(current, incident));
          navigate(`/incidents/${incident.id}`);
        }}
      />
      <Drawer
        opened={selectedId !== null}
        onClose={() => navigate("/incidents")}
        position="right"
        size="xl"
        title={t("incidents.detailTitle")}
        closeButtonProps={{ "aria-label": t("incidents.close"), "data-testid": "incident-detail-close" } as Record<string, string>}
        trapFocus={false}
      >
        {selectedId !== null && (
          <IncidentDetailPanel
            id={selectedId}
            version={detailVersion}
            categoryName={(code) => categoryNames[code] ?? code}
            canWrite={canWrite}
            canDispatch={canDispatch}
            canReadUnits={canReadUnits}
            onChanged={() => refresh(selectedId)}
          />
        )}
      </Drawer>
    </DeskPage>
  );
}
