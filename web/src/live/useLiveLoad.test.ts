import { describe, expect, it } from "vitest";
import { ChangesDuringLoad } from "./useLiveLoad";

const add = (id: number) => (ids: number[]) => (ids.includes(id) ? ids : [...ids, id]);

describe("changes made while a load is under way", () => {
  it("are applied again on top of the loaded state, in order", () => {
    const journal = new ChangesDuringLoad<number[]>();
    const load = journal.begin();
    journal.record(add(4)); // an alarm raised after the page was read, its event before the page arrived
    journal.record((ids) => ids.filter((id) => id !== 1));
    expect(journal.finish(load, [1, 2, 3])).toEqual([2, 3, 4]);
  });

  it("are not remembered once the load has ended", () => {
    const journal = new ChangesDuringLoad<number[]>();
    const load = journal.begin();
    expect(journal.finish(load, [1])).toEqual([1]);
    journal.record(add(2));
    const next = journal.begin();
    expect(journal.finish(next, [1])).toEqual([1]);
  });

  it("go to the load that superseded an abandoned one", () => {
    const journal = new ChangesDuringLoad<number[]>();
    const first = journal.begin();
    const second = journal.begin();
    journal.drop(first); // the abandoned load's failure does not stop the second from collecting
    journal.record(add(7));
    expect(journal.finish(second, [])).toEqual([7]);
  });
});
