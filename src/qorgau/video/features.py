"""The features every video worker runs, as dotted names ("module:Class"); each engineer adds a line here."""

from __future__ import annotations

import importlib

from qorgau.video.contracts import Feature

# One per line, so each feature adds its own line. Each class is built without arguments and gets the worker
# context in ``run``.
FEATURES: tuple[str, ...] = (
    "qorgau.video.recording:RecordingFeature",
    "qorgau.video.relay:RelayFeature",
    "qorgau.video.probe:ProbeFeature",
    "qorgau.video.analytics.feature:AnalyticsFeature",
)


def load(names: tuple[str, ...] = FEATURES) -> list[Feature]:
    """Import and build the listed features (an unknown name fails loudly: features.py lists only real ones)."""
    found: list[Feature] = []
    for name in names:
        module_name, _, class_name = name.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        found.append(cls())
    return found
