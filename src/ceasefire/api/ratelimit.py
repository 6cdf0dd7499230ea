"""Token buckets per key (a client address): the pure part of per-address rate limiting.

A bucket holds at most ``per_minute`` tokens and refills at ``per_minute / 60`` tokens a
second, so a client may make a burst of ``per_minute`` requests and then one every
``60 / per_minute`` seconds. ``take`` spends one token or says how long to wait; ``give_back``
returns one (a sign-in that succeeded is not held against its address).

State is bounded: a bucket that has refilled completely is indistinguishable from a new
one and is dropped, and past ``max_keys`` the longest-idle key is forgotten. No framework
and no I/O here; the clock is injected, so the tests need no sleeping. Thread-safe: the
sign-in routes run in a thread pool.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

# Enough for a busy public site; about 150 bytes each, so a few MB at most.
DEFAULT_MAX_KEYS = 50_000
# Idle keys examined (oldest first) per ``take``: amortised eviction of refilled buckets.
_SWEEP = 2


class TokenBuckets:
    """One token bucket per key; ``per_minute == 0`` means unlimited (nothing is kept)."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        if max_keys < 1:
            raise ValueError("max_keys must be >= 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (tokens, updated_at), least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, key: str, now: float) -> float:
        found = self._buckets.get(key)
        if found is None:
            return self.capacity
        tokens, updated_at = found
        return min(self.capacity, tokens + (now - updated_at) * self.rate)

    def take(self, key: str) -> int | None:
        """Spend one token of ``key``: ``None`` if allowed, else the seconds to wait (>= 1)."""
        if not self.enabled:
            return None
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                self._sweep(now)
                return None
            # A refused request spends nothing: waiting the time said is enough.
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def wait(self, key: str) -> int | None:
        """What ``take`` would answer, spending nothing: ``None`` if a token is there."""
        if not self.enabled:
            return None
        with self._lock:
            tokens = self._level(key, self._clock())
            return None if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate))

    def give_back(self, key: str) -> None:
        """Return one token to ``key`` (never above the bucket's capacity)."""
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            if key in self._buckets:
                self._store(key, min(self.capacity, self._level(key, now) + 1.0), now)

    def _store(self, key: str, tokens: float, now: float) -> None:
        if tokens >= self.capacity:
            self._buckets.pop(key, None)  # full: the same as never seen
            return
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def _sweep(self, now: float) -> None:
        for _ in range(_SWEEP):
            if not self._buckets:
                return
            oldest = next(iter(self._buckets))
            if self._level(oldest, now) < self.capacity:
                return  # cheap and amortised; max_keys bounds whatever is left
            del self._buckets[oldest]
