"""Stopping in time: a cancellation always reaches the task, and a stop waits a bounded time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from qorgau.core.aio import within
from qorgau.core.workers import cancel_all
from tests.conftest import run_async


def test_within_times_out() -> None:
    async def scenario() -> None:
        with pytest.raises(TimeoutError):
            await within(asyncio.Event().wait(), 0.05)
        assert await within(asyncio.sleep(0, "done"), 1) == "done"

    run_async(scenario())


def test_a_cancel_arriving_with_the_result_still_cancels() -> None:
    """The race of asyncio.wait_for on Python 3.11: the awaited flag is set in the same loop iteration as the
    waiting task is cancelled; wait_for returned True and the task ran on (a subscriber that never stopped)."""

    async def scenario() -> None:
        flag = asyncio.Event()
        rounds = 0

        async def waiter() -> None:
            nonlocal rounds
            while True:
                flag.clear()
                with contextlib.suppress(TimeoutError):
                    await within(flag.wait(), 10)
                rounds += 1

        task = asyncio.create_task(waiter())
        await asyncio.sleep(0.05)
        flag.set()
        task.cancel()
        await asyncio.wait({task}, timeout=2)
        assert task.cancelled(), f"the task ran on after its cancellation ({rounds} more rounds)"

    run_async(scenario())


def test_cancel_all_is_bounded_and_names_what_would_not_stop(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> float:
        released = asyncio.Event()

        async def stubborn() -> None:
            while not released.is_set():
                with contextlib.suppress(asyncio.CancelledError):  # the bug cancel_all must survive
                    await asyncio.sleep(10)

        async def polite() -> None:
            await asyncio.sleep(10)

        tasks = [asyncio.create_task(stubborn(), name="stubborn"), asyncio.create_task(polite(), name="polite")]
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await cancel_all(tasks, timeout_s=1.0)
        took = loop.time() - started
        assert tasks[1].cancelled()
        assert not tasks[0].done()
        released.set()
        tasks[0].cancel()
        await asyncio.wait({tasks[0]}, timeout=1)
        return took

    with caplog.at_level(logging.ERROR, logger="qorgau.core.workers"):
        took = run_async(scenario())
    assert 0.9 <= took < 2.0
    assert "stubborn did not stop" in caplog.text and "polite" not in caplog.text
