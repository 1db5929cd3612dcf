"""The parts that take the pipeline's analysed frames: the rules engine, the picture-health checks.

Each consumer adds one line to ``CONSUMERS`` ("module:Class"); the class is built with the worker context and
gets every analysed frame of every analysed camera of that worker, so nothing of the analysis loop is edited to
plug one in. Consumers run in the worker's analysis thread: a frame's call must be quick (well under the frame
interval shared by all cameras); writing to the database or to disk belongs in the consumer's own thread or
batch. An exception from a consumer is logged and counted, and never stops the loop or the other consumers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from qorgau.video.analytics.contracts import AnalysedFrame
from qorgau.video.contracts import CameraConfig, WorkerContext

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# One per line, so each consumer adds its own line.
CONSUMERS: tuple[str, ...] = (
    "qorgau.video.analytics.consumer:RulesConsumer",
    "qorgau.video.analytics.picture_feature:PictureHealthConsumer",
)


class FrameConsumer(Protocol):
    """Takes each analysed frame with its decoded picture (BGR, H×W×3 uint8, ``analysed.width`` wide)."""

    def frame(self, analysed: AnalysedFrame, bgr: npt.NDArray[np.uint8]) -> None:
        """One frame of one camera, in capture order per camera; ``bgr`` must not be kept past the call (copy)."""

    def close(self) -> None:
        """The worker's analysis stops: flush what is pending."""


@runtime_checkable
class CameraChooser(Protocol):
    """A consumer that also wants cameras outside the configured groups analysed (e.g. those with rules)."""

    def wants(self, camera: CameraConfig) -> bool:
        """Whether this camera should be analysed; called from the event loop every few seconds (cache)."""


ConsumerFactory = Callable[[WorkerContext], FrameConsumer]


def load(worker: WorkerContext, names: tuple[str, ...] = CONSUMERS) -> list[FrameConsumer]:
    """Import and build the listed consumers (an unknown name fails loudly: the list names only real ones)."""
    found: list[FrameConsumer] = []
    for name in names:
        module_name, _, class_name = name.partition(":")
        factory: ConsumerFactory = getattr(importlib.import_module(module_name), class_name)
        found.append(factory(worker))
    return found
