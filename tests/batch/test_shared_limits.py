"""One run's rate limits and cost ceiling shared through a real Redis by every worker process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from api.batch.ratelimit import CostCeilingReached, Pricing, RateLimitedChatModel, estimate_prompt_tokens
from api.batch.shared_limits import RedisRunLimits
from tests.batch.test_ratelimit import QueueChatModel, _ok, _request

pytestmark = pytest.mark.redis


@pytest.fixture()
def run_id(redis_url: str) -> Iterator[str]:
    """A fresh run id; its keys are removed afterwards."""
    rid = f"test-{uuid.uuid4().hex[:12]}"
    yield rid
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"auditlens:limits:{rid}:*"):
        client.delete(key)
    client.close()


def _limits(redis_url: str, run_id: str) -> RedisRunLimits:
    """One worker process's view of a run's shared limits (nothing spent before, per the database)."""
    return RedisRunLimits(redis_url, run_id, spent_so_far=lambda: 0.0)


def test_two_processes_draw_from_one_bucket(redis_url: str, run_id: str) -> None:
    # Two RedisRunLimits objects stand for two worker processes: nothing is shared but Redis.
    first = _limits(redis_url, run_id).bucket("requests", capacity=2, rate_per_s=1 / 3600)
    second = _limits(redis_url, run_id).bucket("requests", capacity=2, rate_per_s=1 / 3600)
    assert first.try_acquire(1) == 0
    assert second.try_acquire(1) == 0
    wait = first.try_acquire(1)
    assert 3000 < wait <= 3600  # the bucket both used is empty; refilling one unit takes about an hour
    other = _limits(redis_url, f"{run_id}-other").bucket("requests", capacity=2, rate_per_s=1 / 3600)
    assert other.try_acquire(1) == 0  # another run has its own budget


def test_a_429_seen_by_one_process_drains_the_bucket_for_all(redis_url: str, run_id: str) -> None:
    first = _limits(redis_url, run_id).bucket("requests", capacity=5, rate_per_s=1 / 3600)
    second = _limits(redis_url, run_id).bucket("requests", capacity=5, rate_per_s=1 / 3600)
    first.drain()
    assert second.try_acquire(1) > 0
    second.give_back(1)
    assert first.try_acquire(1) == 0


def test_cost_ceiling_holds_across_processes(redis_url: str, run_id: str) -> None:
    pricing = Pricing(in_per_mtok=1_000_000, out_per_mtok=1_000_000)  # $1 per token
    request = _request(chars=400, max_tokens=100)
    worst = estimate_prompt_tokens(request) * 1.02 + 1 + 100
    ceiling = 3 * 150 + worst  # room for exactly four calls of $150 once their worst case is reserved
    workers = [
        RateLimitedChatModel(
            QueueChatModel(*[_ok(100, 50) for _ in range(10)]),
            rpm=None,
            tpm=None,
            pricing=pricing,
            max_cost_usd=ceiling,
            shared=_limits(redis_url, run_id),
        )
        for _ in range(2)
    ]

    def call(worker: RateLimitedChatModel) -> bool:
        try:
            worker.complete(request)
        except CostCeilingReached:
            return False
        return True

    # Turn about, one call at a time, so the count is exact (calls in flight would reserve more).
    made = [call(workers[i % 2]) for i in range(10)]
    assert sum(made) == 4  # per-process ceilings would have allowed four calls in each process
    assert sum(w.meter.spent_usd for w in workers) == pytest.approx(600)
    assert sum(w.meter.spent_usd for w in workers) <= ceiling


def test_a_missing_ledger_starts_from_what_the_database_says_was_spent(redis_url: str, run_id: str) -> None:
    asked: list[int] = []

    def spent_in_database() -> float:
        asked.append(1)
        return 9.0

    limits = RedisRunLimits(redis_url, run_id, spent_so_far=spent_in_database)
    ledger = limits.ledger(max_cost_usd=10.0)
    assert ledger.reserve(0.5) is None
    assert ledger.reserve(1.0) == (9.0, 0.5)  # 9 spent + 0.5 in flight + 1 would pass 10
    ledger.settle(0.5, 0.25)
    assert ledger.reserve(0.75) is None  # 9.25 spent, nothing in flight
    assert len(asked) == 1  # the database is read only while the ledger is missing
