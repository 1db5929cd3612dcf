import { Alert, Button, Drawer } from "@mantine/core";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { fetchIncident, fetchIncidentCategories, fetchIncidents, mergeIncident, type IncidentCategory, type IncidentItem } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { useLiveLoad } from "../../live/useLiveLoad";
import { DeskPage } from "../../shell/DeskPage";
import { navigate, usePathname } from "../../shell/router";
import type { Shortcut } from "../../shell/shortcuts";
import { useShortcuts } from "../../shell/useShortcuts";
import {
  BOARD_COLUMNS, NO_BOARD_FILTER, applyIncidentChange, boardOrder, filterBoard, incidentIdFromPath, parseIncidentChange, upsertIncident,
  type BoardFilter,
} from "./board";
import { BoardFilters } from "./BoardFilters";
import { DeclineAlerts } from "./Coverage";
import { findDuplicates } from "./duplicates";
import { IncidentBoard } from "./IncidentBoard";
import { IncidentDetailPanel } from "./IncidentDetailPanel";
import { IntakeForm } from "./IntakeForm";

/** The board's incidents, loaded when the desk opens and whenever the event stream (re)connects. */
function useBoard() {
  const load = useCallback(async (signal: AbortSignal) => (await fetchIncidents(BOARD_COLUMNS, { signal })).items, []);
  const { value: items, update, error } = useLiveLoad<IncidentItem[]>([], load);
  const refresh = useCallback((id: number) => {
    fetchIncident(id)
      .then((incident) => update((current) => upsertIncident(current, incident)))
      .catch(() => undefined);
  }, [update]);
  return { items, update, error, refresh };
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
  const { items, update, error, refresh } = useBoard();
  const categories = useCategories();
  const categoryNames = useMemo(() => Object.fromEntries(categories.map((c) => [c.code, c.name])), [categories]);
  const [intakeOpen, setIntakeOpen] = useState(false);
  const [detailVersion, setDetailVersion] = useState(0);
  const [filter, setFilter] = useState<BoardFilter>(NO_BOARD_FILTER);
  const [mergingId, setMergingId] = useState<number | null>(null);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const visible = useMemo(() => filterBoard(items, filter, categoryNames), [items, filter, categoryNames]);
  const duplicates = useMemo(() => findDuplicates(items), [items]);

  const merge = (duplicateId: number, intoId: number) => {
    setMergingId(duplicateId);
    setNotice(null);
    mergeIncident(duplicateId, intoId)
      .then((kept) => {
        const duplicate = items.find((i) => i.id === duplicateId);
        update((current) => upsertIncident(current.filter((i) => i.id !== duplicateId), kept));
        setNotice({ color: "green", text: t("incidents.duplicate.merged", { duplicate: duplicate?.number ?? duplicateId, into: kept.number }) });
      })
      .catch((e: unknown) => setNotice({ color: "red", text: describeError(e, tMaybe).message }))
      .finally(() => setMergingId(null));
  };

  const step = (delta: 1 | -1) => {
    const order = boardOrder(visible);
    if (order.length === 0) return;
    const index = order.findIndex((i) => i.id === selectedId);
    const next = index < 0 ? order[0] : order[Math.min(order.length - 1, Math.max(0, index + delta))];
    navigate(`/incidents/${next.id}`);
  };
  const selectedDuplicate = selectedId !== null ? duplicates.get(selectedId) : undefined;
  const keys: Shortcut[] = [
    { keys: "j", label: "shortcuts.next", scope: "desk", run: () => step(1) },
    { keys: "k", label: "shortcuts.previous", scope: "desk", run: () => step(-1) },
    { keys: "/", label: "shortcuts.search", scope: "desk", run: () => searchRef.current?.focus() },
    ...(canWrite ? [{ keys: "n", label: "shortcuts.newIncident", scope: "desk", run: () => setIntakeOpen(true) } as const] : []),
    ...(canWrite && selectedDuplicate && selectedId !== null
      ? [{ keys: "m", label: "shortcuts.merge", scope: "desk", run: () => merge(selectedId, selectedDuplicate.id) } as const]
      : []),
  ];
  useShortcuts(keys);

  useLiveEventHandler((event) => {
    const incidentId = event.payload.incident_id;
    if (event.name.startsWith("incidents.")) {
      const change = parseIncidentChange(event.payload);
      if (change) {
        update((current) => applyIncidentChange(current, change).items);
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
        {notice && (
          <Alert color={notice.color} mb="xs" withCloseButton onClose={() => setNotice(null)} data-testid="incident-notice">{notice.text}</Alert>
        )}
        <BoardFilters filter={filter} categories={categories} searchRef={searchRef} shown={visible.length} total={items.length} onChange={setFilter} />
        <IncidentBoard
          items={visible}
          categoryNames={categoryNames}
          selectedId={selectedId}
          duplicates={duplicates}
          canMerge={canWrite}
          mergingId={mergingId}
          onOpen={(id) => navigate(`/incidents/${id}`)}
          onMerge={merge}
        />
      </div>
      <IntakeForm
        opened={intakeOpen}
        categories={categories}
        onClose={() => setIntakeOpen(false)}
        onCreated={(incident) => {
          setIntakeOpen(false);
          update((current) => upsertIncident(current, incident));
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
