"""Client-side rate limits and a cost ceiling for batch runs, as a ChatModel that wraps another.

A request's token budget is its estimated prompt tokens plus its `max_tokens` (what the provider
counts against TPM before it knows the answer). Buckets refill continuously; 429s are retried after
the server's `Retry-After` (or an exponential backoff); the cost ceiling refuses new calls once the
money spent plus the money reserved by calls in flight would pass it, so the run pauses cleanly.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from analyzer.errors import LLMError, LLMTransientError
from analyzer.ports import ChatModel, ChatRequest, ChatResult

# A rough, provider-neutral token estimate: ~4 characters per token for English prose, plus message
# framing. It is only used to budget, so erring high (×1.1) keeps us under the provider's TPM.
_CHARS_PER_TOKEN = 4.0
_MESSAGE_OVERHEAD = 4


def estimate_prompt_tokens(request: ChatRequest) -> int:
    """Upper-leaning estimate of the prompt tokens of a request (messages + schema)."""
    chars = sum(len(m.content) for m in request.messages) + len(str(request.json_schema))
    return int(chars / _CHARS_PER_TOKEN * 1.1) + _MESSAGE_OVERHEAD * len(request.messages)


def check_bucket(capacity: float, rate_per_s: float) -> None:
    """Refuse a bucket that could never hand out a unit."""
    if capacity <= 0 or rate_per_s <= 0:
        raise ValueError("bucket capacity and rate must be positive")


class TokenBucket:
    """A bucket of `capacity` units refilled at `rate_per_s`; `acquire(n)` waits until n are there."""

    def __init__(
        self,
        *,
        capacity: float,
        rate_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        check_bucket(capacity, rate_per_s)
        self.capacity = capacity
        self.rate = rate_per_s
        self._level = capacity
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._level = min(self.capacity, self._level + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self, amount: float) -> float:
        """Take `amount` units, waiting as needed; returns the seconds waited.

        A request larger than the capacity waits for a full bucket and then leaves it in debt, so the
        long-run rate stays exact even for requests bigger than the burst.
        """
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._level >= min(amount, self.capacity):
                    self._level -= amount
                    return waited
                need = (min(amount, self.capacity) - self._level) / self.rate
            self._sleep(need)
            waited += need

    def give_back(self, amount: float) -> None:
        """Return unused units (e.g. the part of max_tokens a completion did not use)."""
        with self._lock:
            self._refill()
            self._level = min(self.capacity, self._level + max(0.0, amount))

    def drain(self) -> None:
        """Empty the bucket (after a 429 the provider's window is evidently full)."""
        with self._lock:
            self._refill()
            self._level = 0.0


class Bucket(Protocol):
    """What the limiter needs of a token bucket (local, or shared by a run's processes)."""

    def acquire(self, amount: float) -> float:
        """Take `amount` units, waiting as needed; returns the seconds waited."""
        ...

    def drain(self) -> None:
        """Empty the bucket."""
        ...


class CostLedger(Protocol):
    """Money spent and reserved by every process of a run, with its ceiling."""

    def reserve(self, worst_usd: float) -> tuple[float, float] | None:
        """Reserve a call's worst case; None when done, else the (spent, reserved) that refused it."""
        ...

    def settle(self, reserved_usd: float, spent_usd: float) -> None:
        """Release a reservation and book what the call cost."""
        ...


class SharedLimits(Protocol):
    """Where a run's buckets and ledger live when several processes work on it (Redis for Celery)."""

    def bucket(self, name: str, *, capacity: float, rate_per_s: float) -> Bucket:
        """The run's bucket called `name`."""
        ...

    def ledger(self, *, max_cost_usd: float | None) -> CostLedger:
        """The run's cost ledger."""
        ...


class CostCeilingReached(LLMError):
    """The run's cost ceiling does not allow another call; the run pauses (resumable)."""


@dataclass
class UsageMeter:
    """Thread-safe running totals of one process's calls, cost and rate-limit responses."""

    spent_usd: float = 0.0
    reserved_usd: float = 0.0
    calls: int = 0
    http_attempts: int = 0
    throttled: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_cached: int = 0
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, float]:
        """A copy of the totals."""
        with self._lock:
            return {
                "spent_usd": self.spent_usd,
                "calls": self.calls,
                "http_attempts": self.http_attempts,
                "throttled": self.throttled,
                "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out,
                "tokens_cached": self.tokens_cached,
                "refused": self.refused,
            }


@dataclass(frozen=True)
class Pricing:
    """USD per million tokens (already discounted for the Batch API when used)."""

    in_per_mtok: float
    out_per_mtok: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """Cost of one call."""
        return (tokens_in * self.in_per_mtok + tokens_out * self.out_per_mtok) / 1_000_000


class RateLimitedChatModel:
    """A ChatModel that enforces RPM/TPM buckets, retries 429s honouring Retry-After, and a cost ceiling."""

    def __init__(
        self,
        inner: ChatModel,
        *,
        rpm: float | None,
        tpm: float | None,
        pricing: Pricing,
        max_cost_usd: float | None = None,
        spent_before_usd: float = 0.0,
        max_retries: int = 6,
        base_backoff_s: float = 0.5,
        max_backoff_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        meter: UsageMeter | None = None,
        shared: SharedLimits | None = None,
    ) -> None:
        self.inner = inner

        # A minute's worth of capacity would let a cold start fire a whole minute of requests at once
        # and trip the provider's shorter enforcement windows; half a second's worth keeps the flow
        # smooth and leaves the provider's own burst allowance as slack for network jitter.
        def bucket(name: str, capacity: float, rate_per_s: float) -> Bucket:
            if shared is not None:
                return shared.bucket(name, capacity=capacity, rate_per_s=rate_per_s)
            return TokenBucket(capacity=capacity, rate_per_s=rate_per_s, sleep=sleep)

        self.requests = bucket("requests", max(1.0, rpm / 120), rpm / 60) if rpm else None
        self.tokens = bucket("tokens", tpm / 120, tpm / 60) if tpm else None
        # With shared limits the ceiling is checked against the whole run's ledger, not this process's.
        self._ledger = shared.ledger(max_cost_usd=max_cost_usd) if shared is not None else None
        # Our character-based prompt estimate is scaled by what the provider reports (moving average of
        # reported / estimated prompt tokens), so the TPM budget tracks the provider's own tokenizer.
        self._calibration = 1.0
        self.pricing = pricing
        self.max_cost_usd = max_cost_usd
        self.meter = meter or UsageMeter()
        self.meter.spent_usd += spent_before_usd
        self.max_retries = max_retries
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._local = threading.local()

    # Which finding's analysis was refused by the ceiling, per thread (the analyzer turns our error into
    # a failed analysis; the runner asks here whether that failure was really a pause).
    def refused_in_this_thread(self) -> bool:
        """True when the ceiling refused a call made by this thread since the last reset."""
        return bool(getattr(self._local, "refused", False))

    def reset_thread(self) -> None:
        """Forget this thread's refusal flag (called before each finding)."""
        self._local.refused = False

    @property
    def ceiling_reached(self) -> bool:
        """True once the ceiling has refused a call."""
        return self.meter.refused > 0

    def _refuse(self, spent: float, reserved: float) -> CostCeilingReached:
        self.meter.refused += 1
        self._local.refused = True
        return CostCeilingReached(
            f"cost ceiling ${self.max_cost_usd or 0:.2f} reached "
            f"(spent ${spent:.4f}, in flight ${reserved:.4f})"
        )

    def _reserve(self, budget_tokens: int, max_tokens: int) -> float:
        worst = self.pricing.cost(budget_tokens - max_tokens, max_tokens)
        refused = self._ledger.reserve(worst) if self._ledger is not None else None
        with self.meter._lock:
            if refused is not None:
                raise self._refuse(*refused)
            if (
                self._ledger is None
                and self.max_cost_usd is not None
                and self.meter.spent_usd + self.meter.reserved_usd + worst > self.max_cost_usd
            ):
                raise self._refuse(self.meter.spent_usd, self.meter.reserved_usd)
            self.meter.reserved_usd += worst
        return worst

    def complete(self, request: ChatRequest) -> ChatResult:
        """Send the request within the limits; raises CostCeilingReached or the inner model's errors."""
        prompt_est = estimate_prompt_tokens(request)
        budget = int(prompt_est * self._calibration * 1.02) + 1 + request.max_tokens
        reserved = self._reserve(budget, request.max_tokens)
        attempts = 0
        cost = 0.0
        try:
            while True:
                attempts += 1
                if self.requests:
                    self.requests.acquire(1)
                if self.tokens:
                    self.tokens.acquire(budget)
                with self.meter._lock:
                    self.meter.http_attempts += 1
                try:
                    result = self.inner.complete(request)
                except LLMTransientError as exc:
                    throttled = exc.retry_after_s is not None or "429" in str(exc)
                    if throttled:
                        with self.meter._lock:
                            self.meter.throttled += 1
                        # The provider's window is full: stop everyone in this process, not just us.
                        if self.requests:
                            self.requests.drain()
                    if attempts > self.max_retries:
                        raise LLMTransientError(
                            f"gave up after {attempts} attempts: {exc}",
                            attempts=attempts,
                            retry_after_s=exc.retry_after_s,
                        ) from exc
                    self._sleep(self._backoff(attempts, exc.retry_after_s))
                    continue
                break
            cost = self.pricing.cost(result.input_tokens, result.output_tokens)
        finally:
            with self.meter._lock:
                self.meter.reserved_usd -= reserved
            if self._ledger is not None:
                self._ledger.settle(reserved, cost)
        # Providers count prompt + max_tokens against TPM when the request arrives, so the unused part
        # of max_tokens is not given back to the bucket.
        with self.meter._lock:
            if result.input_tokens > 0:
                observed = result.input_tokens / max(1, prompt_est)
                self._calibration = 0.8 * self._calibration + 0.2 * observed
            self.meter.calls += 1
            self.meter.spent_usd += cost
            self.meter.tokens_in += result.input_tokens
            self.meter.tokens_out += result.output_tokens
            self.meter.tokens_cached += result.cached_tokens
        return result.model_copy(update={"attempts": result.attempts + attempts - 1})

    def _backoff(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            # Honour the server, plus a little jitter so that waiting threads do not return in lockstep.
            return min(self.max_backoff_s, retry_after_s) + random.uniform(0, 0.1)
        return min(self.max_backoff_s, self.base_backoff_s * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
