import type { PointerEvent } from "react";
import type { RuleKind } from "../../../api/analytics";
import { directionArrow, svgPoints, toView, type Point } from "./geometry";

/** The colour of each kind on the picture (the same in the list). */
export const KIND_COLORS: Record<RuleKind, string> = {
  zone: "#fa5252",
  line: "#228be6",
  loitering: "#fd7e14",
  crowd: "#be4bdb",
  stopped_vehicle: "#fab005",
};

export interface OverlayShape {
  key: string;
  kind: RuleKind;
  points: readonly Point[];
  /** The shape being edited: drawn stronger, with its handles. */
  active?: boolean;
  /** Still being drawn: an open polyline, not a closed polygon. */
  open?: boolean;
}

export interface RuleOverlayProps {
  shapes: readonly OverlayShape[];
  /** Handles on the active shape's vertices and edge middles (absent: the picture is only shown). */
  onVertexDown?: (index: number, event: PointerEvent<SVGElement>) => void;
  onVertexRemove?: (index: number) => void;
  onEdgeSplit?: (index: number) => void;
  /** The picture's width over its height: the view box is stretched to it, handles are kept round. */
  aspect?: number;
}

function Arrow({ a, b, color }: { a: Point; b: Point; color: string }) {
  const { from, to } = directionArrow(a, b, 0.08);
  const [x1, y1] = toView(from);
  const [x2, y2] = toView(to);
  return (
    <g data-testid="rule-arrow">
      <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={color} strokeWidth={0.6} markerEnd="url(#rule-arrow-head)" />
    </g>
  );
}

/** Rules drawn over a camera's picture in a 0..100 view box: polygons, lines with their forward arrow, handles. */
export function RuleOverlay({ shapes, onVertexDown, onVertexRemove, onEdgeSplit, aspect = 16 / 9 }: RuleOverlayProps) {
  return (
    <svg viewBox="0 0 100 100" preserveAspectRatio="none" style={{ position: "absolute", inset: 0, width: "100%", height: "100%", overflow: "visible" }}
      data-testid="rule-overlay">
      <defs>
        <marker id="rule-arrow-head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke" />
        </marker>
      </defs>
      {shapes.map((shape) => {
        const color = KIND_COLORS[shape.kind];
        const width = shape.active ? 0.6 : 0.35;
        const line = shape.kind === "line";
        return (
          <g key={shape.key} data-testid="rule-shape" data-kind={shape.kind} data-active={shape.active ? "true" : "false"} opacity={shape.active ? 1 : 0.7}>
            {line || shape.open ? (
              <polyline points={svgPoints(shape.points)} fill="none" stroke={color} strokeWidth={width} />
            ) : (
              <polygon points={svgPoints(shape.points)} fill={color} fillOpacity={shape.active ? 0.25 : 0.15} stroke={color} strokeWidth={width} />
            )}
            {line && shape.points.length === 2 && <Arrow a={shape.points[0]} b={shape.points[1]} color={color} />}
            {shape.active && onEdgeSplit && !line && !shape.open && shape.points.map((p, i) => {
              const q = shape.points[(i + 1) % shape.points.length];
              const [x, y] = toView([(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]);
              return (
                <ellipse key={`e${i}`} cx={x} cy={y} rx={0.6} ry={0.6 * aspect} fill="#fff" fillOpacity={0.6} stroke={color} strokeWidth={0.2}
                  style={{ cursor: "copy" }} data-testid="rule-edge" onPointerDown={(e) => { e.stopPropagation(); onEdgeSplit(i); }} />
              );
            })}
            {shape.active && onVertexDown && shape.points.map((p, i) => {
              const [x, y] = toView(p);
              return (
                <ellipse key={`v${i}`} cx={x} cy={y} rx={1.1} ry={1.1 * aspect} fill="#fff" stroke={color} strokeWidth={0.4} style={{ cursor: "grab" }}
                  data-testid="rule-vertex" data-index={i}
                  onPointerDown={(e) => { e.stopPropagation(); onVertexDown(i, e); }}
                  onDoubleClick={(e) => { e.stopPropagation(); onVertexRemove?.(i); }} />
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
