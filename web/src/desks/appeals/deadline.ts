import type { AppealRead } from "../../api/appeals";

/** How the list shows an appeal's deadline: the key of its words, the working days in them, and its colour. */
export interface DeadlineLook {
  key: "appeals.left.days" | "appeals.left.today" | "appeals.left.overdue" | "appeals.left.answeredLate"
    | "appeals.left.answeredOnTime" | "appeals.left.closed";
  days: number;
  colour: "red" | "orange" | "green" | "gray";
}

/** Open appeals count down in working days (red when overdue, orange within `warnDays`); closed ones say how
 * they ended. The figure comes from the server, which counts on Kazakhstan's calendar with its transfers. */
export function deadlineLook(appeal: Pick<AppealRead, "state" | "working_days_left" | "overdue">, warnDays = 3): DeadlineLook {
  const left = appeal.working_days_left;
  if (appeal.state === "answered") {
    return appeal.overdue
      ? { key: "appeals.left.answeredLate", days: 0, colour: "red" }
      : { key: "appeals.left.answeredOnTime", days: 0, colour: "green" };
  }
  if (appeal.state === "transferred") return { key: "appeals.left.closed", days: 0, colour: "gray" };
  if (appeal.overdue) return { key: "appeals.left.overdue", days: Math.max(1, -left), colour: "red" };
  if (left <= 0) return { key: "appeals.left.today", days: 0, colour: "orange" };
  return { key: "appeals.left.days", days: left, colour: left <= warnDays ? "orange" : "green" };
}
