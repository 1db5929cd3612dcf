import { Button, Stack } from "@mantine/core";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import type { Action } from "./reducer";
import { progressButtons, tapButton, type Armed, type ButtonState } from "./stages";
import type { Assignment, Progress } from "../api/units";

const COLORS: Record<Progress, string> = { en_route: "blue", on_scene: "orange", resolved: "green" };

function variantOf(state: ButtonState, armed: boolean): string {
  if (armed) return "filled";
  if (state === "next") return "filled";
  if (state === "done") return "light";
  return "outline";
}

/** The big en route → on scene → resolved buttons; resolved takes a confirming second tap. */
export function StageButtons({
  assignment,
  busy,
  onProgress,
}: {
  assignment: Assignment;
  busy: Action | null;
  onProgress: (stage: Progress) => Promise<void>;
}) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const [armed, setArmed] = useState<Armed | null>(null);
  const buttons = progressButtons(assignment);

  // Disarm when the confirmation window passes.
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(null), Math.max(0, armed.until - Date.now()));
    return () => clearTimeout(timer);
  }, [armed]);

  return (
    <Stack gap="sm" data-testid="stage-buttons">
      {buttons.map((button) => {
        const isArmed = armed?.stage === button.stage;
        const label =
          button.state === "done"
            ? `✓ ${t(`unit.stage.${button.stage}`)}${button.at ? ` · ${formatInstant(button.at, { timeZone, withSeconds: false })}` : ""}`
            : isArmed
              ? t("unit.stage.confirmResolved")
              : t(`unit.stage.${button.stage}`);
        return (
          <Button
            key={button.stage}
            data-testid={`stage-btn-${button.stage}`}
            data-state={button.state}
            data-armed={isArmed ? "true" : "false"}
            size="xl"
            className="unit-big-button"
            color={isArmed ? "red" : COLORS[button.stage]}
            variant={variantOf(button.state, isArmed)}
            loading={busy === button.stage}
            disabled={button.state === "locked" || button.state === "done" || (busy !== null && busy !== button.stage)}
            onClick={() => {
              const result = tapButton(button, armed, Date.now());
              setArmed(result.armed);
              if (result.send) void onProgress(result.send);
            }}
          >
            {label}
          </Button>
        );
      })}
    </Stack>
  );
}
