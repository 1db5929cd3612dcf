import { Box, Text } from "@mantine/core";
import { useRef, useState, type MouseEvent, type PointerEvent } from "react";
import type { RuleKind } from "../../../api/analytics";
import { snapshotUrl } from "../../../api/video";
import { useI18n } from "../../../i18n/I18nProvider";
import { MAX_ZONE_POINTS, moveVertex, removeVertex, splitEdge, toFrame, MIN_ZONE_POINTS, type Point } from "./geometry";
import { RuleOverlay, type OverlayShape } from "./RuleOverlay";

/** How near the first point (in frame units) a click closes the polygon. */
const CLOSE_RADIUS = 0.025;

export interface RuleCanvasProps {
  code: string;
  /** The camera's other rules, shown under the one edited. */
  others: readonly OverlayShape[];
  kind: RuleKind;
  points: readonly Point[];
  /** Clicks add points (until the polygon is closed or the line has both ends). */
  drawing: boolean;
  onPoints: (points: Point[]) => void;
  /** The polygon was closed or the line's second end set. */
  onDrawn: () => void;
  editable: boolean;
}

/**
 * The camera's current picture with its rules drawn over it: clicks place a zone's corners (a click on the first
 * closes it) or a line's two ends; afterwards corners are dragged, an edge's middle handle adds a corner and a
 * double click removes one.
 */
export function RuleCanvas({ code, others, kind, points, drawing, onPoints, onDrawn, editable }: RuleCanvasProps) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [broken, setBroken] = useState(false);
  // The picture's own shape (a 4:3 sub-stream is not squeezed into 16:9); 0..1 coordinates hold either way.
  const [aspect, setAspect] = useState<[number, number]>([16, 9]);
  const line = kind === "line";

  const framePoint = (clientX: number, clientY: number): Point => {
    const rect = box.current?.getBoundingClientRect();
    return rect ? toFrame(clientX - rect.left, clientY - rect.top, rect.width, rect.height) : [0, 0];
  };
  const click = (event: MouseEvent<HTMLDivElement>) => {
    if (!editable || !drawing) return;
    const p = framePoint(event.clientX, event.clientY);
    if (!line && points.length >= MIN_ZONE_POINTS && Math.hypot(p[0] - points[0][0], p[1] - points[0][1]) <= CLOSE_RADIUS) {
      onDrawn();
      return;
    }
    const next = [...points.map((q): Point => [q[0], q[1]]), p];
    onPoints(next);
    if ((line && next.length === 2) || next.length >= MAX_ZONE_POINTS) onDrawn();
  };
  const move = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging === null) return;
    onPoints(moveVertex(points, dragging, framePoint(event.clientX, event.clientY)));
  };
  const stop = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging === null) return;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    setDragging(null);
  };
  const shapes: OverlayShape[] = points.length > 0 ? [...others, { key: "edited", kind, points, active: true, open: drawing && !line }] : [...others];

  return (
    <Box ref={box} pos="relative" bg="black" style={{ aspectRatio: `${aspect[0]} / ${aspect[1]}`, cursor: drawing && editable ? "crosshair" : "default", touchAction: "none", userSelect: "none" }}
      onClick={click} onPointerMove={move} onPointerUp={stop} onPointerCancel={stop}
      data-testid="rule-canvas" data-drawing={drawing ? "true" : "false"} data-points={points.length}>
      {!broken && (
        <img src={snapshotUrl(code)} alt="" draggable={false} onError={() => setBroken(true)}
          onLoad={(e) => { const img = e.currentTarget; if (img.naturalWidth > 0 && img.naturalHeight > 0) setAspect([img.naturalWidth, img.naturalHeight]); }}
          style={{ width: "100%", height: "100%", objectFit: "fill", display: "block" }} />
      )}
      {broken && (
        <Text size="xs" c="gray.5" pos="absolute" top={8} left={8} data-testid="rule-canvas-no-picture">{t("analytics.noPicture")}</Text>
      )}
      <RuleOverlay
        shapes={shapes}
        aspect={aspect[0] / aspect[1]}
        onVertexDown={editable && !drawing ? (index, event) => {
          box.current?.setPointerCapture(event.pointerId);
          setDragging(index);
        } : undefined}
        onVertexRemove={editable && !drawing && !line ? (index) => onPoints(removeVertex(points, index, MIN_ZONE_POINTS)) : undefined}
        onEdgeSplit={editable && !drawing && !line ? (index) => onPoints(splitEdge(points, index)) : undefined}
      />
    </Box>
  );
}
