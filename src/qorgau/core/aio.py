"""asyncio helpers whose behaviour on cancellation every long-running process relies on to stop in time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(awaitable: Awaitable[T], timeout_s: float | None) -> T:
    """Await with a deadline: TimeoutError when it passes, and a cancellation of the caller always goes through.

    Not ``asyncio.wait_for``: on Python 3.11 it returns the result instead of raising CancelledError when the
    awaited thing completes in the same loop iteration as the caller's cancellation (bpo-42130, fixed in 3.12),
    so a task being stopped just as a wake-up arrives runs on and the shutdown that waits for it never ends.
    ``asyncio.timeout`` has no such race. Ruff bans ``asyncio.wait_for`` in this code base (pyproject.toml).
    """
    async with asyncio.timeout(timeout_s):
        return await awaitable
