import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { countBars, periodRange, totals } from "./counts";
import { CountsChart } from "./LineCounts";
import { RuleOverlay } from "./RuleOverlay";

const count = (html: string, what: string) => html.split(what).length - 1;

describe("the rule overlay", () => {
  it("draws a closed zone with a handle per corner and per edge while it is edited", () => {
    const html = renderToStaticMarkup(createElement(RuleOverlay, {
      shapes: [{ key: "z", kind: "zone", points: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]], active: true }],
      onVertexDown: () => undefined, onEdgeSplit: () => undefined,
    }));
    expect(html).toContain('points="10,10 50,10 50,50"');
    expect(html).toContain("<polygon");
    expect(count(html, 'data-testid="rule-vertex"')).toBe(3);
    expect(count(html, 'data-testid="rule-edge"')).toBe(3);
  });
  it("draws a zone still being drawn open, and other rules without handles", () => {
    const html = renderToStaticMarkup(createElement(RuleOverlay, {
      shapes: [
        { key: "a", kind: "crowd", points: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]] },
        { key: "b", kind: "zone", points: [[0.2, 0.2], [0.3, 0.3]], active: true, open: true },
      ],
      onVertexDown: () => undefined,
    }));
    expect(count(html, "<polyline")).toBe(1);
    expect(count(html, "<polygon")).toBe(1);
    expect(count(html, 'data-testid="rule-vertex"')).toBe(2);
  });
  it("gives a line its forward arrow, across the line at its middle", () => {
    const html = renderToStaticMarkup(createElement(RuleOverlay, { shapes: [{ key: "l", kind: "line", points: [[0, 0.5], [1, 0.5]] }] }));
    expect(count(html, 'data-testid="rule-arrow"')).toBe(1);
    const [, x1, y1, x2, y2] = /x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"[^>]*marker-end/.exec(html) ?? [];
    expect(Number(x1)).toBeCloseTo(50);
    expect(Number(x2)).toBeCloseTo(50);
    expect(Number(y2)).toBeGreaterThan(Number(y1));
  });
});

describe("line counts", () => {
  const buckets = [
    { start: "2026-12-07T10:00:00Z", forward: 10, backward: 5 },
    { start: "2026-12-07T10:05:00Z", forward: 0, backward: 20 },
  ];
  it("scale bars to the busiest bucket", () => {
    const bars = countBars(buckets, 100, 12);
    expect(bars[0]).toMatchObject({ x: 0, forward: 6, backward: 3 });
    expect(bars[1]).toMatchObject({ x: 50, forward: 0, backward: 12 });
    expect(countBars([], 100, 12)).toEqual([]);
  });
  it("draw a bar per direction and bucket", () => {
    const html = renderToStaticMarkup(createElement(CountsChart, { buckets, label: "Entry" }));
    expect(count(html, 'data-testid="counts-forward"')).toBe(2);
    expect(count(html, 'data-testid="counts-backward"')).toBe(2);
    expect(html).toContain('aria-label="Entry"');
  });
  it("add both directions of all lines and name the period", () => {
    expect(totals([{ rule_id: 1, name: "a", forward: 3, backward: 4, by_label: {}, buckets: [] }, { rule_id: 2, name: "b", forward: 1, backward: 0, by_label: {}, buckets: [] }]))
      .toEqual({ forward: 4, backward: 4 });
    expect(periodRange(1, Date.parse("2026-12-07T10:00:00Z"))).toEqual({ from: "2026-12-07T09:00:00.000Z", to: "2026-12-07T10:00:00.000Z" });
  });
});
