import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../live/types";
import { INITIAL_STATE, applyEvent, applyStatus, isActive, type SimulationStatusBody } from "./status";

function event(name: string, runId: number, extra: Record<string, unknown> = {}): LiveEvent {
  return {
    id: `${name}-${runId}`,
    name,
    subject_type: "simulation_run",
    subject_id: String(runId),
    occurred_at: "2026-03-01T07:00:00Z",
    recorded_at: "2026-03-01T07:00:00Z",
    payload: { run_id: runId, name: `run ${runId}`, started_at: "2026-03-01T07:00:00Z", ...extra },
    context: { simulated: true },
  };
}

const RUN: SimulationStatusBody["runs"][number] = {
  id: 1, name: "aksai", seed: 1, scale: 1, started_at: "2026-03-01T07:00:00Z", last_seen_at: "2026-03-01T07:00:05Z",
  ended_at: null, end_reason: null, started_by: "user:7", details: {},
};

describe("simulation status", () => {
  it("starts inactive and follows started / ended events", () => {
    expect(isActive(INITIAL_STATE)).toBe(false);
    const one = applyEvent(INITIAL_STATE, event("simulation.started", 1));
    const two = applyEvent(one, event("simulation.started", 2));
    expect(isActive(two)).toBe(true);
    expect([...two.runs.keys()]).toEqual([1, 2]);
    const left = applyEvent(two, event("simulation.ended", 1));
    expect(isActive(left)).toBe(true);
    expect(isActive(applyEvent(left, event("simulation.ended", 2)))).toBe(false);
  });

  it("ignores other events", () => {
    const other = event("alarms.raised", 3);
    expect(applyEvent(INITIAL_STATE, other)).toBe(INITIAL_STATE);
  });

  it("takes a status answer, unless an event arrived after it was asked for", () => {
    const fetched = applyStatus(INITIAL_STATE, { active: true, runs: [RUN] }, INITIAL_STATE.epoch);
    expect(isActive(fetched)).toBe(true);
    const asked = fetched.epoch;
    const ended = applyEvent(fetched, event("simulation.ended", 1));
    // The answer was requested before the end event: it may predate it, so it must not bring the run back.
    expect(applyStatus(ended, { active: true, runs: [RUN] }, asked)).toBe(ended);
    expect(isActive(applyStatus(ended, { active: false, runs: [] }, ended.epoch))).toBe(false);
  });

  it("treats inactive answers as no runs", () => {
    const running = applyEvent(INITIAL_STATE, event("simulation.started", 5));
    expect(isActive(applyStatus(running, { active: false, runs: [RUN] }, running.epoch))).toBe(false);
  });
});
