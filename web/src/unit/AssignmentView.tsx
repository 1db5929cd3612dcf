import { Alert, Stack } from "@mantine/core";
import { describeError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import { IncidentDetails } from "./IncidentDetails";
import { NotesPanel } from "./NotesPanel";
import { StageButtons } from "./StageButtons";
import type { IncidentDetail } from "../api/incidents";
import type { Assignment } from "../api/units";
import type { GpsReading } from "./useGeolocation";
import type { MyUnitApi } from "./useMyUnit";
import { UnitMap } from "./UnitMap";

/** An accepted assignment: status buttons first (thumb reach), the map, the incident, notes. */
export function AssignmentView({
  my,
  assignment,
  incident,
  gps,
  canReport,
  onStage,
}: {
  my: MyUnitApi;
  assignment: Assignment;
  incident: IncidentDetail | null;
  gps: GpsReading;
  canReport: boolean;
  onStage: () => void;
}) {
  const { tMaybe } = useI18n();
  const unit = my.state.data?.unit ?? null;
  const serverPosition = unit && unit.lon !== null && unit.lat !== null ? { lon: unit.lon, lat: unit.lat } : null;
  return (
    <Stack gap="md" data-testid="assignment-view" data-assignment-id={assignment.id} data-stage={assignment.stage}>
      <div className="unit-card">
        <IncidentDetails incident={incident} assignment={assignment} fix={gps.fix} />
      </div>
      {my.state.actionError != null && (
        <Alert data-testid="unit-action-error" color="red" variant="filled" withCloseButton onClose={my.dismissError}>
          {describeError(my.state.actionError, tMaybe).message}
        </Alert>
      )}
      {canReport && (
        <StageButtons
          assignment={assignment}
          busy={my.state.busy}
          onProgress={async (stage) => {
            onStage();
            await my.progress(stage);
          }}
        />
      )}
      <UnitMap
        route={assignment.route}
        target={incident && incident.lon !== null && incident.lat !== null ? { lon: incident.lon, lat: incident.lat } : null}
        me={gps.fix ? { lon: gps.fix.lon, lat: gps.fix.lat, source: "gps" } : serverPosition ? { ...serverPosition, source: "server" } : null}
        fitKey={assignment.id}
      />
      {canReport && <NotesPanel assignmentId={assignment.id} notes={incident?.notes ?? []} onSent={my.reload} />}
    </Stack>
  );
}
