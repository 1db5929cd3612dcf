"""Fixtures shared with the protocol adapters' tests: the simulator's peers are the same real listeners."""

from tests.ingest.adapters.sip.conftest import terminals  # SOS-0001 (no password), SOS-0002 (digest)

__all__ = ["terminals"]
