"""Per-client rate limit: a sliding window of request times per key (the client address).

``BUDGETQA_RATE_LIMIT`` is "<requests>/<seconds>" (default "30/60"); "0" turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from budgetqa.errors import SettingsError


class RateLimiter:
    def __init__(self, spec: str) -> None:
        spec = spec.strip()
        if spec in ("", "0", "off", "none"):
            self.limit, self.window = 0, 0.0
        else:
            try:
                count, _, seconds = spec.partition("/")
                self.limit, self.window = int(count), float(seconds or 60)
            except ValueError:
                raise SettingsError(
                    f"BUDGETQA_RATE_LIMIT must look like '30/60' (requests/seconds), not {spec!r}"
                ) from None
            if self.limit < 0 or self.window <= 0:
                raise SettingsError(f"BUDGETQA_RATE_LIMIT must be positive, not {spec!r}")
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a request from ``key``; False when it is over the limit."""
        if not self.limit:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for idle in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                    del self._hits[idle]
            return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may ask again (for the Retry-After header)."""
        with self._lock:
            hits = self._hits.get(key)
            if not self.limit or not hits or len(hits) < self.limit:
                return 0
            return max(1, int(self.window - (time.monotonic() - hits[0]) + 0.999))

    def message(self) -> str:
        return (
            f"Too many questions: at most {self.limit} every {self.window:g} s. Please wait a moment. / "
            f"질문이 너무 많습니다: {self.window:g}초에 {self.limit}개까지입니다. 잠시 후 다시 시도하세요."
        )
