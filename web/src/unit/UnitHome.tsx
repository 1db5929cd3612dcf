import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { describeError } from "../api/problem";
import { useSession } from "../auth/AuthProvider";
import { hasPermission } from "../auth/permissions";
import { useI18n } from "../i18n/I18nProvider";
import { useEffect } from "react";
import { SimulationBanner } from "../simulation/SimulationBanner";
import { AssignmentView } from "./AssignmentView";
import { prefetchBaseMap } from "./baseMap";
import { DispatchCard } from "./DispatchCard";
import { IdleScreen } from "./IdleScreen";
import { showsMyDistrict } from "./inspector";
import { MyDistrict } from "./MyDistrict";
import { awaitsAnswer, isActiveStage } from "./stages";
import { GpsAlert } from "./GpsAlert";
import { UnitHeader } from "./UnitHeader";
import { unitStream } from "./liveStream";
import { useGeolocation } from "./useGeolocation";
import { useLiveStream } from "./useLiveStream";
import { useMyUnit } from "./useMyUnit";
import { usePositionReporter } from "./usePositionReporter";

export const REPORT_PERMISSION = "units:report";

/** The signed-in crew's screen: header, then idle / incoming dispatch / assignment. */
export function UnitHome() {
  const { t, tMaybe } = useI18n();
  const { user } = useSession();
  useLiveStream();
  useEffect(() => prefetchBaseMap(), []);
  const my = useMyUnit();
  const { state } = my;
  const unit = state.data?.unit ?? null;
  const canReport = hasPermission(user, REPORT_PERMISSION);
  const onDuty = !!unit && unit.active && unit.status !== "off_duty" && canReport;
  const gps = useGeolocation(state.phase === "ready" && onDuty);
  const reporter = usePositionReporter(gps, onDuty);
  // An assignment that just ended (a live event can say "declined" before the answer to the decline arrives) is
  // none: showing it would mount the route map only to tear it down a moment later, mid-animation.
  const held = state.data?.assignment ?? null;
  const assignment = held && held.active !== false && isActiveStage(held.stage) ? held : null;
  const incident = state.data?.incident ?? null;

  let content;
  if (state.phase === "loading") {
    content = (
      <Center py="xl">
        <Loader size="lg" aria-label={t("unit.loading")} />
      </Center>
    );
  } else if (showsMyDistrict(user.role, state.phase, !!assignment) && state.phase === "not_member") {
    content = <MyDistrict />; // an inspector without a crew: their district is the whole screen
  } else if (state.phase === "not_member") {
    content = (
      <Alert data-testid="unit-not-member" color="yellow" variant="light" title={t("unit.notMember.title")}>
        <Text>{t("unit.notMember.text")}</Text>
      </Alert>
    );
  } else if (state.phase === "error" || !state.data) {
    content = (
      <Stack data-testid="unit-load-error" gap="md">
        <Alert color="red" variant="light" title={t("unit.loadError")}>
          {describeError(state.loadError, tMaybe).message}
        </Alert>
        <Button data-testid="unit-retry" size="xl" className="unit-big-button" onClick={my.reload}>
          {t("unit.retry")}
        </Button>
      </Stack>
    );
  } else if (assignment && awaitsAnswer(assignment)) {
    content = <DispatchCard my={my} assignment={assignment} incident={incident} fix={gps.fix} canReport={canReport} />;
  } else if (assignment) {
    content = (
      <AssignmentView
        my={my}
        assignment={assignment}
        incident={incident}
        gps={gps}
        canReport={canReport}
        onStage={reporter.sendNow}
      />
    );
  } else {
    content = <IdleScreen my={my} unit={state.data.unit} onDuty={onDuty} canReport={canReport} lastSentAt={reporter.lastSentAt} />;
    if (showsMyDistrict(user.role, state.phase, false)) content = <Stack gap="lg">{content}<MyDistrict /></Stack>;
  }

  return (
    <div className="unit-app" data-testid="unit-app" data-phase={state.phase}>
      <SimulationBanner stream={unitStream} />
      <UnitHeader unit={unit} gps={gps} sendFailing={reporter.failing} onDuty={onDuty} />
      <main className="unit-main">
        {state.phase === "ready" && state.loadError != null && (
          <Alert data-testid="unit-stale-data" color="orange" variant="light" py="xs">
            {t("unit.offlineData")}
          </Alert>
        )}
        {onDuty && <GpsAlert gps={gps} />}
        {content}
      </main>
    </div>
  );
}
