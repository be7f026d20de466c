"""Rate limiter: token buckets on requests and tokens, Retry-After honoured, cost ceiling refuses calls."""

from __future__ import annotations

import threading
import time
from collections import deque

import pytest

from analyzer.errors import LLMTransientError
from analyzer.ports import ChatMessage, ChatRequest, ChatResult
from api.batch.ratelimit import (
    CostCeilingReached,
    Pricing,
    RateLimitedChatModel,
    TokenBucket,
    estimate_prompt_tokens,
)
from api.batch.simulator import LLMSimulator, SimulatorConfig


class QueueChatModel:
    """A ChatModel fed with answers or errors, in order; records the requests it saw."""

    def __init__(self, *items: ChatResult | Exception) -> None:
        self.items: deque[ChatResult | Exception] = deque(items)
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> ChatResult:
        self.requests.append(request)
        item = self.items.popleft()
        if isinstance(item, Exception):
            raise item
        return item


class FakeClock:
    """Manual time: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _request(chars: int = 400, max_tokens: int = 100) -> ChatRequest:
    return ChatRequest(
        messages=[ChatMessage(role="user", content="x" * chars)],
        schema_name="s",
        json_schema={"type": "object"},
        max_tokens=max_tokens,
    )


def _ok(tokens_in: int = 100, tokens_out: int = 50) -> ChatResult:
    return ChatResult(content="{}", model="m", input_tokens=tokens_in, output_tokens=tokens_out)


def test_bucket_waits_for_refill_and_keeps_the_long_run_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=2, rate_per_s=2, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        bucket.acquire(1)
    # 2 free at start, then 8 more at 2/s: 4 seconds.
    assert clock.now == pytest.approx(4.0)
    # A request bigger than the burst waits for a full bucket and leaves debt behind.
    bucket.acquire(6)
    bucket.acquire(1)
    assert clock.now == pytest.approx(4.0 + 1.0 + 2.5)  # 1 s to fill, then 4 of debt + 1 at 2/s


def test_request_budget_is_prompt_plus_max_tokens() -> None:
    clock = FakeClock()
    inner = QueueChatModel(_ok(), _ok())
    limited = RateLimitedChatModel(inner, rpm=None, tpm=60_000, pricing=Pricing(0, 0), sleep=clock.sleep)
    limited.tokens.__init__(capacity=1000, rate_per_s=1000, clock=clock, sleep=clock.sleep)  # type: ignore[union-attr,misc]
    request = _request(chars=4000, max_tokens=500)
    budget = estimate_prompt_tokens(request) + 500
    assert budget > 1000 + 500
    limited.complete(request)
    limited.complete(request)
    # The second call waits for the whole budget of the first to refill (not just the prompt part).
    assert sum(clock.sleeps) == pytest.approx((budget * 1.02 + 1) / 1000, rel=0.05)


def test_429_is_retried_after_retry_after() -> None:
    clock = FakeClock()
    inner = QueueChatModel(
        LLMTransientError("HTTP 429", retry_after_s=7.0),
        LLMTransientError("HTTP 503"),
        _ok(),
    )
    limited = RateLimitedChatModel(inner, rpm=None, tpm=None, pricing=Pricing(0, 0), sleep=clock.sleep)
    result = limited.complete(_request())
    assert result.attempts == 3
    assert 7.0 <= clock.sleeps[0] <= 7.2  # the server's wait, plus a little jitter
    assert limited.meter.throttled == 1
    assert limited.meter.http_attempts == 3


def test_retries_are_bounded() -> None:
    clock = FakeClock()
    inner = QueueChatModel(*[LLMTransientError("HTTP 500") for _ in range(3)])
    limited = RateLimitedChatModel(
        inner, rpm=None, tpm=None, pricing=Pricing(0, 0), sleep=clock.sleep, max_retries=2
    )
    with pytest.raises(LLMTransientError, match="gave up after 3 attempts"):
        limited.complete(_request())


def test_cost_ceiling_refuses_before_spending_past_it() -> None:
    pricing = Pricing(in_per_mtok=1_000_000, out_per_mtok=1_000_000)  # $1 per token: easy arithmetic
    inner = QueueChatModel(_ok(100, 50), _ok(100, 50), _ok(100, 50))
    request = _request(chars=400, max_tokens=100)
    worst = estimate_prompt_tokens(request) * 1.02 + 1 + 100
    limited = RateLimitedChatModel(inner, rpm=None, tpm=None, pricing=pricing, max_cost_usd=150 + worst)
    limited.complete(request)  # spends $150
    assert limited.meter.spent_usd == pytest.approx(150)
    limited.complete(request)  # 150 + worst <= ceiling: allowed, spends 150 more
    assert not limited.ceiling_reached
    limited.reset_thread()
    with pytest.raises(CostCeilingReached, match="cost ceiling"):
        limited.complete(request)
    assert limited.ceiling_reached and limited.refused_in_this_thread()
    assert len(inner.requests) == 2  # the refused call never reached the model
    # Money spent in an earlier session of the run counts too.
    resumed = RateLimitedChatModel(
        QueueChatModel(), rpm=None, tpm=None, pricing=pricing, max_cost_usd=300, spent_before_usd=300
    )
    with pytest.raises(CostCeilingReached):
        resumed.complete(request)


@pytest.mark.slow
def test_limiter_keeps_a_real_endpoint_under_its_rpm() -> None:
    """Against the loopback simulator (60 RPM-equivalent per second): no 429 while at the limit."""
    from analyzer.adapters.langchain_chat import LangChainChatModel

    with LLMSimulator(SimulatorConfig(latency_s=0.01, rpm=600, window_s=1.0)) as sim:
        inner = LangChainChatModel(model="sim-1", base_url=sim.base_url, api_key="k", max_retries=0)
        limited = RateLimitedChatModel(inner, rpm=600, tpm=None, pricing=Pricing(0, 0))
        request = _request()
        started = time.perf_counter()
        threads = [threading.Thread(target=limited.complete, args=(request,)) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    assert sim.stats.ok == 40
    assert sim.stats.throttled == 0
    # 10 requests/s with a burst of 5: 40 requests need at least ~3.5 s.
    assert elapsed >= 3.2
