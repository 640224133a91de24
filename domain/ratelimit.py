"""Token buckets per key: how many requests a client may make in a burst, and how fast that refills. Used by the
share page (per address, per link) and by the hint throttle (per person). Pure: the caller gives the time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBucket:
    """Per-key token buckets: `capacity` requests at once, refilled at `rate` a second. Times are given
    (seconds, any monotonic origin). At most `max_keys` keys are kept; the least recently used one goes first
    (a full bucket is what a new key starts with, so forgetting one only ever lets it through)."""

    def __init__(self, capacity: float, rate: float, *, max_keys: int = 10_000) -> None:
        if capacity < 1 or rate <= 0 or max_keys < 1:
            raise ValueError("capacity >= 1, rate > 0 and max_keys >= 1")
        self.capacity, self.rate, self.max_keys = capacity, rate, max_keys
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def take(self, key: Hashable, now: float, cost: float = 1.0) -> bool:
        """Take `cost` tokens for `key` at `now`; False (and nothing taken) when there are not enough."""
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        elapsed = max(0.0, now - bucket.at)
        bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
        bucket.at = now
        allowed = bucket.tokens >= cost
        if allowed:
            bucket.tokens -= cost
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: Hashable) -> float:
        """Seconds until one token is back for `key` (0 when one is there)."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)
