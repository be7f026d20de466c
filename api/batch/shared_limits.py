"""Rate limits and the cost ceiling of one run shared by every worker process, kept in Redis.

With the Celery executor each worker process has its own RateLimitedChatModel; left to themselves, N
processes would each allow the full RPM/TPM and each spend up to the ceiling. Here the buckets and the
money ledger of a run live in Redis and are changed only by Lua scripts (atomic on the server), so all
workers draw from one budget. Redis keeps nothing on disk on some installs: a ledger that is missing is
started from what the database says was spent (the finished items), so a Redis restart forgets at most
the calls in flight at that moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from api.batch.ratelimit import check_bucket

# Keys of a run expire when the run has been idle this long (a finished run leaves nothing behind).
_TTL_S = 24 * 3600

# KEYS[1] bucket hash; ARGV: capacity, rate per s, amount. Refills from the server's clock, takes `amount`
# when min(amount, capacity) is there (a request bigger than the burst leaves the bucket in debt, as the
# local bucket does) and returns 0; otherwise returns the seconds to wait.
_ACQUIRE = """
local cap = tonumber(ARGV[1]); local rate = tonumber(ARGV[2]); local amount = tonumber(ARGV[3])
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or cap)
local stamp = tonumber(redis.call('HGET', KEYS[1], 'stamp') or now)
level = math.min(cap, level + (now - stamp) * rate)
local need = math.min(amount, cap)
local wait = 0
if level >= need then level = level - amount else wait = (need - level) / rate end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return tostring(wait)
"""

# KEYS[1] bucket hash; ARGV: capacity, rate per s, mode ('drain' or a number of units to give back).
_ADJUST = """
local cap = tonumber(ARGV[1]); local rate = tonumber(ARGV[2])
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or cap)
local stamp = tonumber(redis.call('HGET', KEYS[1], 'stamp') or now)
level = math.min(cap, level + (now - stamp) * rate)
if ARGV[3] == 'drain' then level = 0 else level = math.min(cap, level + tonumber(ARGV[3])) end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS[1] ledger hash; ARGV: spent according to the database (used only when the ledger is new),
# ceiling (or 'none'), worst-case cost of the call. Reserves it and returns 'ok', or returns the spent and
# reserved amounts when the reservation would pass the ceiling.
_RESERVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'reserved', '0')
end
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent'))
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved'))
local worst = tonumber(ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
if ARGV[2] ~= 'none' and spent + reserved + worst > tonumber(ARGV[2]) then
  return {tostring(spent), tostring(reserved)}
end
redis.call('HSET', KEYS[1], 'reserved', tostring(reserved + worst))
return 'ok'
"""

# KEYS[1] ledger hash; ARGV: reservation to release, money actually spent.
_SETTLE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved')) - tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'reserved', tostring(math.max(0, reserved)))
redis.call('HINCRBYFLOAT', KEYS[1], 'spent', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisTokenBucket:
    """A token bucket whose level lives in Redis, so every process of a run shares it."""

    def __init__(
        self,
        client: Any,
        key: str,
        *,
        capacity: float,
        rate_per_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        check_bucket(capacity, rate_per_s)
        self.capacity = capacity
        self.rate = rate_per_s
        self.key = key
        self._acquire = client.register_script(_ACQUIRE)
        self._adjust = client.register_script(_ADJUST)
        self._sleep = sleep

    def try_acquire(self, amount: float) -> float:
        """Take `amount` units if they are there (returns 0.0), else the seconds to wait before retrying."""
        return float(self._acquire(keys=[self.key], args=[self.capacity, self.rate, amount, _TTL_S]))

    def acquire(self, amount: float) -> float:
        """Take `amount` units, waiting as needed; returns the seconds waited."""
        waited = 0.0
        while (need := self.try_acquire(amount)) > 0:
            self._sleep(need)
            waited += need
        return waited

    def give_back(self, amount: float) -> None:
        """Return unused units."""
        self._adjust(keys=[self.key], args=[self.capacity, self.rate, max(0.0, amount), _TTL_S])

    def drain(self) -> None:
        """Empty the bucket for every process (a 429 says the provider's window is full)."""
        self._adjust(keys=[self.key], args=[self.capacity, self.rate, "drain", _TTL_S])


class RedisCostLedger:
    """The run's money spent and reserved, in Redis: one ceiling for every worker process."""

    def __init__(
        self, client: Any, key: str, *, max_cost_usd: float | None, spent_so_far: Callable[[], float]
    ) -> None:
        self.key = key
        self.max_cost_usd = max_cost_usd
        self._client = client
        self._spent_so_far = spent_so_far
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    def reserve(self, worst_usd: float) -> tuple[float, float] | None:
        """Reserve a call's worst-case cost; None when done, else (spent, reserved) that refused it."""
        ceiling = "none" if self.max_cost_usd is None else repr(self.max_cost_usd)
        # Only a missing ledger needs the database's figure; the script ignores it otherwise.
        start = 0.0 if self._client.exists(self.key) else self._spent_so_far()
        answer = self._reserve(keys=[self.key], args=[repr(start), ceiling, repr(worst_usd), _TTL_S])
        if answer in (b"ok", "ok"):
            return None
        spent, reserved = answer
        return float(spent), float(reserved)

    def settle(self, reserved_usd: float, spent_usd: float) -> None:
        """Release a reservation and book what the call really cost (0 when it failed)."""
        self._settle(keys=[self.key], args=[repr(reserved_usd), repr(spent_usd), _TTL_S])


class RedisRunLimits:
    """Builds the shared buckets and ledger of one run from a Redis URL."""

    def __init__(
        self, url: str, run_id: str, *, spent_so_far: Callable[[], float], prefix: str = "auditlens:limits"
    ) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._base = f"{prefix}:{run_id}"
        self._spent_so_far = spent_so_far  # reads the database; used only when the ledger is missing

    def bucket(self, name: str, *, capacity: float, rate_per_s: float) -> RedisTokenBucket:
        """The run's shared bucket called `name` (requests, tokens)."""
        key = f"{self._base}:{name}"
        return RedisTokenBucket(self._client, key, capacity=capacity, rate_per_s=rate_per_s)

    def ledger(self, *, max_cost_usd: float | None) -> RedisCostLedger:
        """The run's shared cost ledger."""
        return RedisCostLedger(
            self._client, f"{self._base}:cost", max_cost_usd=max_cost_usd, spent_so_far=self._spent_so_far
        )
