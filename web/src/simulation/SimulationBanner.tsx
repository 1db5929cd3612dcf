import { useI18n } from "../i18n/I18nProvider";
import type { EventStream } from "../live/eventStream";
import { isActive, type SimulationState } from "./status";
import { useSimulationStatus } from "./useSimulationStatus";

export const BANNER_HEIGHT = 28;

/** The SIMULATION strip; nothing when no simulation runs. */
export function SimulationStrip({ state, compact = false }: { state: SimulationState; compact?: boolean }) {
  const { t } = useI18n();
  if (!isActive(state)) return null;
  const names = [...state.runs.values()].map((run) => run.name).join(", ");
  return (
    <div
      className="simulation-banner"
      data-testid="simulation-banner"
      role="status"
      aria-live="polite"
      title={names}
      data-compact={compact}
      style={compact ? { height: BANNER_HEIGHT } : { minHeight: BANNER_HEIGHT }}
    >
      <strong className="simulation-banner-title">{t("simulation.banner.title")}</strong>
      <span className="simulation-banner-text">{t("simulation.banner.text")}</span>
    </div>
  );
}

/** The banner kept live from an event stream (the desks' or the unit app's). */
export function SimulationBanner({ stream }: { stream: EventStream }) {
  return <SimulationStrip state={useSimulationStatus(stream)} />;
}
