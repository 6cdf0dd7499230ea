"""Token buckets per address: burst, refill, give-back, 0 = unlimited, bounded state."""

from __future__ import annotations

import pytest

from ceasefire.api.address_limits import address_key
from ceasefire.api.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_per_minute_then_one_every_60_over_per_minute_seconds() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock=clock)  # a token every 10 s
    assert [buckets.take("a") for _ in range(6)] == [None] * 6
    assert buckets.take("a") == 10
    clock.now += 4
    assert buckets.take("a") == 6  # waiting is enough: a refusal spends nothing
    clock.now += 6
    assert buckets.take("a") is None
    assert buckets.take("a") == 10


def test_keys_are_independent() -> None:
    buckets = TokenBuckets(1, clock=Clock())
    assert buckets.take("a") is None
    assert buckets.take("a") == 60
    assert buckets.take("b") is None


def test_give_back_returns_one_token_never_above_capacity() -> None:
    clock = Clock()
    buckets = TokenBuckets(2, clock=clock)
    assert buckets.take("a") is None
    assert buckets.take("a") is None
    assert buckets.take("a") is not None
    buckets.give_back("a")
    assert buckets.take("a") is None
    assert buckets.take("a") is not None
    buckets.give_back("a")
    buckets.give_back("a")
    buckets.give_back("a")
    assert len(buckets) == 0  # full again: forgotten
    assert [buckets.take("a") for _ in range(3)][:2] == [None, None]


def test_zero_is_unlimited_and_keeps_nothing() -> None:
    buckets = TokenBuckets(0, clock=Clock())
    assert not buckets.enabled
    assert all(buckets.take("a") is None for _ in range(10_000))
    assert len(buckets) == 0


def test_negative_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="per_minute"):
        TokenBuckets(-1)


def test_refilled_buckets_are_evicted_and_the_number_of_keys_is_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock, max_keys=100)
    for n in range(1000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    assert len(buckets) == 100  # the longest idle were forgotten
    clock.now += 61  # everything refilled
    for n in range(10):
        buckets.take(f"fresh-{n}")
    assert len(buckets) < 100  # the sweep drops refilled buckets as new ones come
    clock.now += 61
    for n in range(200):
        buckets.take(f"later-{n}")
    assert len(buckets) == 100
    assert all(not key.startswith("10.0.") for key in buckets._buckets)


def test_a_throttled_key_is_not_forgotten_by_the_sweep() -> None:
    clock = Clock()
    buckets = TokenBuckets(2, clock=clock)
    buckets.take("attacker")
    buckets.take("attacker")
    for n in range(50):
        clock.now += 0.1
        buckets.take(f"other-{n}")
    assert buckets.take("attacker") is not None


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
    ],
)
def test_address_keys(host: str, key: str) -> None:
    assert address_key(host) == key
