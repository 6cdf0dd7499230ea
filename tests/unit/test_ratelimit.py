"""Token buckets per address: burst, refill, give-back, 0 = unlimited, bounded state; the
address key, the credential a request presents, and the memory of checked tokens."""

from __future__ import annotations

import pytest

from ceasefire.api import address_limits
from ceasefire.api.address_limits import AddressLimits, address_key
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


def test_checked_tokens_are_remembered_for_a_while_and_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    checks: list[str] = []

    def check_token(token: str) -> bool:
        checks.append(token)
        return token.startswith("good")

    monkeypatch.setattr(address_limits, "MAX_CHECKED_TOKENS", 3)
    limits = address_limits.AddressLimits(
        public_per_minute=60,
        login_per_minute=10,
        check_token=check_token,
        session_cookie="s",
        clock=clock,
    )
    assert limits.checked(hash("good-1")) is None
    assert limits.check(hash("good-1"), "good-1") is True
    assert limits.check(hash("bad-1"), "bad-1") is False
    assert limits.checked(hash("good-1")) is True
    assert limits.checked(hash("bad-1")) is False
    clock.now += address_limits.CHECKED_TOKEN_TTL_S
    assert limits.checked(hash("good-1")) is None  # checked again after the TTL
    for n in range(5):
        limits.check(hash(f"good-{n}"), f"good-{n}")
    assert len(limits._checked) == 3
    assert checks == ["good-1", "bad-1", *(f"good-{n}" for n in range(5))]


@pytest.mark.parametrize(
    ("headers", "credential"),
    [
        ([(b"authorization", b"Bearer cft_abc")], "cft_abc"),
        ([(b"authorization", b"bearer  cft_abc ")], "cft_abc"),
        ([(b"authorization", b"Basic dXNlcjpwdw==")], None),
        ([(b"cookie", b"a=1; s=cft_web; b=2")], "cft_web"),
        ([(b"cookie", b"a=1; s=")], None),
        ([(b"cookie", b"other=s")], None),
        ([], None),
    ],
)
def test_the_credential_a_request_presents(
    headers: list[tuple[bytes, bytes]], credential: str | None
) -> None:
    limits = AddressLimits(
        public_per_minute=1, login_per_minute=1, check_token=lambda _: True, session_cookie="s"
    )
    assert limits.credential({"type": "http", "headers": headers}) == credential
