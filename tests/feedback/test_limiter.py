"""The public routes' rate limit: a sliding window per address."""

from __future__ import annotations

import pytest

from qorgau.core.errors import QorgauError
from qorgau.feedback.limiter import RateLimiter


def test_window_slides_and_keys_are_separate() -> None:
    now = [0.0]
    limiter = RateLimiter(3, window_s=60.0, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("a")
    with pytest.raises(QorgauError) as refused:
        limiter.check("a")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "61"
    limiter.check("b")  # another address is not held back
    now[0] = 60.5  # the first three left the window
    limiter.check("a")
