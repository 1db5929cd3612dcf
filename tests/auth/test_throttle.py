"""Pure logic of the login throttle: how delays grow and which counters exist."""

from __future__ import annotations

import pytest

from qorgau.auth import throttle
from qorgau.settings import Settings


def test_no_delay_while_attempts_are_free() -> None:
    assert [throttle.delay_after(n, 3, 1.0, 300.0) for n in range(3)] == [0.0, 0.0, 0.0]


def test_delay_doubles_from_the_base_after_the_free_attempts() -> None:
    delays = [throttle.delay_after(n, 3, 1.0, 300.0) for n in range(3, 10)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]


def test_delay_uses_the_base() -> None:
    assert [throttle.delay_after(n, 1, 0.5, 100.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("cap", [10.0, 300.0])
def test_delay_is_capped_and_never_overflows(cap: float) -> None:
    assert throttle.delay_after(40, 3, 1.0, cap) == cap
    # far beyond any float exponent a naive 2**n would overflow; the cap still holds
    assert throttle.delay_after(5000, 3, 1.0, cap) == cap
    delays = [throttle.delay_after(n, 3, 1.0, cap) for n in range(0, 60)]
    assert delays == sorted(delays)
    assert max(delays) == cap


def test_rules_are_pair_address_and_user_with_their_caps() -> None:
    settings = Settings(login_free_attempts=4, login_max_delay_s=120.0, login_user_max_delay_s=7.0)
    rules = throttle.rules(settings, "  Alice ", "10.0.0.1")
    assert [r.key for r in rules] == ["pair:alice|10.0.0.1", "addr:10.0.0.1", "user:alice"]
    by_key = {r.key: r for r in rules}
    assert (by_key["pair:alice|10.0.0.1"].free, by_key["pair:alice|10.0.0.1"].cap_s) == (4, 120.0)
    assert (by_key["addr:10.0.0.1"].free, by_key["addr:10.0.0.1"].cap_s) == (20, 120.0)
    assert (by_key["user:alice"].free, by_key["user:alice"].cap_s) == (8, 7.0)


def test_rules_key_the_user_case_insensitively() -> None:
    settings = Settings()
    assert [r.key for r in throttle.rules(settings, "BOB", "a")] == [
        r.key for r in throttle.rules(settings, "bob", "a")
    ]
