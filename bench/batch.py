"""Batch throughput against a loopback OpenAI-compatible simulator, next to the theoretical ceiling.

For each setting, N findings are sent through the product's LLM path — the LangChain ChatModel adapter
(`analyzer.adapters.langchain_chat.LangChainChatModel`, real HTTP to the simulator) wrapped by the batch
rate limiter (`api.batch.ratelimit.RateLimitedChatModel`) — from C worker threads, with the analyzer's
real answer schema and a stable prompt prefix of about T_in tokens. The simulator adds latency L and
enforces RPM and TPM (prompt + max_tokens) limits, answering 429 with Retry-After beyond them.

    ceiling (findings/min) = min(RPM, TPM / (T_in + max_tokens), C * 60 / L)

A baseline row per run sends the same load with no client-side limiter (only retries that honour
Retry-After), to show what the limiter buys.

Usage: .venv/bin/python bench/batch.py [--findings 1000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.adapters.langchain_chat import LangChainChatModel
from analyzer.errors import LLMError
from analyzer.llm_output import answer_json_schema
from analyzer.ports import ChatMessage, ChatModel, ChatRequest
from analyzer.privacy import apply_offline_defaults
from api.batch.ratelimit import Pricing, RateLimitedChatModel
from api.batch.simulator import LLMSimulator, SimulatorConfig, count_tokens

MAX_TOKENS = 400
SCHEMA = answer_json_schema()
# A stable prefix standing in for system text + taxonomy + playbook (~1,000 simulator tokens).
PREFIX = (
    "You analyse audit findings. Classify the exception, propose root causes and draft a corrective "
    "action plan that ends with a retest step. Cite only the evidence ids you were given. "
) * 22


@dataclass(frozen=True)
class Setting:
    """One row of the table."""

    name: str
    latency_s: float
    rpm: float
    tpm: float
    concurrency: int
    limited: bool = True


def request_for(i: int) -> ChatRequest:
    """The i-th finding's request: stable prefix first, finding text last."""
    user = (
        f"Finding F-{i:05d} (control CC{1 + i % 9}.{1 + i % 4}): access for {1 + i % 5} of 25 sampled "
        "leavers was not removed within the required time; management will automate the HR feed."
    )
    return ChatRequest(
        messages=[ChatMessage(role="system", content=PREFIX), ChatMessage(role="user", content=user)],
        schema_name="finding_analysis",
        json_schema=SCHEMA,
        max_tokens=MAX_TOKENS,
    )


def t_in() -> int:
    """Prompt tokens of one request as the simulator counts them."""
    r = request_for(0)
    return count_tokens("".join(m.content for m in r.messages))


def run_setting(s: Setting, n: int) -> dict[str, float | str | int]:
    """Run n findings for one setting; returns the table row."""
    cfg = SimulatorConfig(latency_s=s.latency_s, rpm=s.rpm, tpm=s.tpm)
    with LLMSimulator(cfg) as sim:
        inner = LangChainChatModel(
            model="sim-1", base_url=sim.base_url, api_key="sim", method="json_schema", max_retries=0
        )
        chat: ChatModel
        if s.limited:
            chat = RateLimitedChatModel(
                inner, rpm=s.rpm, tpm=s.tpm, pricing=Pricing(0.15, 0.6), max_retries=20
            )
        else:
            # The naive client: as many requests as threads allow, retrying 429s after Retry-After.
            chat = LangChainChatModel(
                model="sim-1", base_url=sim.base_url, api_key="sim", method="json_schema", max_retries=20
            )
        failures = 0
        lock = threading.Lock()

        def one(i: int) -> None:
            nonlocal failures
            try:
                chat.complete(request_for(i))
            except LLMError:
                with lock:
                    failures += 1

        # Warm the HTTP client and the simulator before timing (one request, not counted).
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=s.concurrency) as pool:
            list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - started
        stats = sim.stats
    ceiling = min(s.rpm, s.tpm / (t_in() + MAX_TOKENS), s.concurrency * 60 / s.latency_s)
    rate = (n - failures) / elapsed * 60
    return {
        "setting": s.name,
        "client": "rate-limited" if s.limited else "naive (retry only)",
        "L_s": s.latency_s,
        "RPM": int(s.rpm),
        "TPM": int(s.tpm),
        "C": s.concurrency,
        "ceiling_per_min": round(ceiling),
        "findings_per_min": round(rate),
        "pct_of_ceiling": round(100 * rate / ceiling, 1),
        "load_avg": round(os.getloadavg()[0], 1),
        "http_requests": stats.requests,
        "429s": stats.throttled,
        "pct_429": round(100 * stats.throttled / max(1, stats.requests), 2),
        "failed": failures,
        "seconds": round(elapsed, 1),
    }


def request_overhead_s(samples: int = 30) -> float:
    """Median wall time of one request through the adapter against a zero-latency simulator (C=1)."""
    with LLMSimulator(SimulatorConfig(latency_s=0.0)) as sim:
        chat = LangChainChatModel(model="sim-1", base_url=sim.base_url, api_key="sim", max_retries=0)
        chat.complete(request_for(0))  # warm up
        times = []
        for i in range(samples):
            t0 = time.perf_counter()
            chat.complete(request_for(i))
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Run the settings and print a Markdown table (and JSON with --json)."""
    apply_offline_defaults()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 findings, fewer settings (smoke).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n = 200 if args.quick else args.findings
    budget = t_in() + MAX_TOKENS
    settings = [
        Setting("RPM-bound", latency_s=0.1, rpm=3000, tpm=1e9, concurrency=16),
        Setting("RPM-bound", latency_s=0.1, rpm=3000, tpm=1e9, concurrency=16, limited=False),
        Setting("TPM-bound", latency_s=0.1, rpm=1e6, tpm=3000 * budget, concurrency=16),
        Setting("concurrency-bound", latency_s=0.3, rpm=1e6, tpm=1e12, concurrency=12),
    ]
    if args.quick:
        settings = settings[:1] + settings[2:3]
    overhead = request_overhead_s()
    load = os.getloadavg()[0]
    print(
        f"host: {os.cpu_count()} CPUs, load average {load:.1f}; client+server overhead per request "
        f"(median, C=1, L=0): {overhead * 1000:.0f} ms",
        file=sys.stderr,
    )
    rows = []
    for s in settings:
        row = run_setting(s, n)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(
        f"\n{n} findings per row; T_in = {t_in()} tokens, max_tokens = {MAX_TOKENS}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at start; per-request overhead o = "
        f"{overhead * 1000:.0f} ms (C·60/(L+o) is the concurrency ceiling once that overhead is counted)\n"
    )
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
