"""A JPEG of an analysed frame with the objects' boxes and labels drawn, for analytics events and search."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from qorgau.video.analytics.contracts import Box

JPEG_QUALITY = 85
COLOUR = (0, 215, 255)  # BGR amber: visible on road grey, foliage and night IR alike
TEXT = (0, 0, 0)


def snapshot_jpeg(bgr: npt.NDArray[np.uint8], boxes: Sequence[Box], labels: Sequence[str] = ()) -> bytes:
    """The frame as a JPEG with each box (frame coordinates 0..1) drawn and its label above it; the frame
    itself is not changed."""
    picture = bgr.copy()
    height, width = picture.shape[:2]
    thickness = max(1, round(width / 320))
    scale = max(0.4, width / 1280)
    for i, box in enumerate(boxes):
        x1, y1 = int(box[0] * width), int(box[1] * height)
        x2, y2 = int(box[2] * width), int(box[3] * height)
        cv2.rectangle(picture, (x1, y1), (x2, y2), COLOUR, thickness)
        if i < len(labels) and labels[i]:
            (text_w, text_h), base = cv2.getTextSize(labels[i], cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
            top = max(0, y1 - text_h - base - 2)
            cv2.rectangle(picture, (x1, top), (x1 + text_w + 4, top + text_h + base + 2), COLOUR, cv2.FILLED)
            cv2.putText(picture, labels[i], (x1 + 2, top + text_h + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT, 1,
                        cv2.LINE_AA)
    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return bytes(data.tobytes())
