"""Service API benchmark: upload → findings-ready latency, and GET latency under concurrent clients.

    .venv/bin/python bench/api.py [--report PDF] [--clients 20] [--requests 1000]

Starts `auditlens serve` (uvicorn, job workers in-process) on 127.0.0.1 against a fresh SQLite database
and Chroma directory in a temp dir, creates an organization and keys, then:

1. uploads the sample report and measures the time until its findings are listed (document `ready`);
2. runs the offline analyzer over those findings so every finding has a plan;
3. fires a bounded number of requests from N concurrent clients (threads, one keep-alive connection
   each) at `GET /healthz` (the baseline: no auth, no query), `GET /v1/audits/{id}/findings` and
   `GET /v1/findings/{id}/plan`, and prints p50/p95/p99 latency and throughput side by side.

Client threads share the machine with the server, so absolute numbers include client overhead; the
baseline row, measured in the same run, shows how much of the latency is the framework itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not come up")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(url: str, headers: dict[str, str], clients: int, total: int) -> dict[str, float]:
    """`total` GETs of `url` spread over `clients` threads; latency percentiles in ms and requests/s."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start_gate = threading.Barrier(clients + 1)

    def worker(n: int) -> None:
        nonlocal errors
        local: list[float] = []
        bad = 0
        with httpx.Client(headers=headers, timeout=30.0) as client:
            client.get(url)  # open the keep-alive connection before timing
            start_gate.wait()
            for _ in range(n):
                t0 = time.perf_counter()
                res = client.get(url)
                local.append((time.perf_counter() - t0) * 1000)
                bad += res.status_code != 200
        with lock:
            latencies.extend(local)
            errors += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "p99": _percentile(latencies, 0.99),
        "rps": len(latencies) / wall,
        "errors": errors,
        "n": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", type=Path, default=ROOT / "examples" / "acme-soc2-type2-2025.pdf")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    args = parser.parse_args()
    if not args.report.is_file():
        raise SystemExit(f"{args.report}: sample report not found")

    from analyzer.storage import keys
    from analyzer.storage.db import Database

    with tempfile.TemporaryDirectory(prefix="auditlens-bench-api-") as tmp:
        env = {**os.environ, "AUDITLENS_DATA_DIR": tmp, "AUDITLENS_WORKER_THREADS": "2"}
        env.pop("AUDITLENS_DATABASE_URL", None)
        db = Database(f"sqlite:///{Path(tmp) / 'auditlens.db'}")
        db.upgrade()
        with db.session() as session:
            org = keys.ensure_org(session, "Bench Org")
            _, lead = keys.create_key(session, org_id=org.id, role="lead")
            _, viewer = keys.create_key(session, org_id=org.id, role="viewer")
        db.dispose()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "auditlens"),
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            _wait_ready(base, proc)
            lead_h = {"Authorization": f"Bearer {lead}"}
            view_h = {"Authorization": f"Bearer {viewer}"}
            with httpx.Client(base_url=base, timeout=60.0) as client:
                audit = client.post("/v1/audits", json={"name": "Bench FY25"}, headers=lead_h).json()
                data = args.report.read_bytes()
                t0 = time.perf_counter()
                res = client.post(
                    f"/v1/audits/{audit['id']}/documents",
                    files={"file": (args.report.name, data)},
                    data={"kind": "report"},
                    headers=lead_h,
                )
                accepted_ms = (time.perf_counter() - t0) * 1000
                doc_id = res.json()["id"]
                doc: dict[str, Any] = {}
                while True:
                    doc = client.get(f"/v1/documents/{doc_id}", headers=view_h).json()
                    if doc["status"] in ("ready", "failed"):
                        break
                    time.sleep(0.05)
                findings = client.get(f"/v1/audits/{audit['id']}/findings", headers=view_h).json()
                ready_s = time.perf_counter() - t0
                if doc["status"] != "ready" or not findings:
                    raise SystemExit(f"ingestion did not produce findings: {doc}")
                t1 = time.perf_counter()
                job = client.post(
                    f"/v1/audits/{audit['id']}/analyses", json={"provider": "offline"}, headers=lead_h
                )
                job_id = job.json()["job_id"]
                while (status := client.get(f"/v1/jobs/{job_id}", headers=view_h).json())["status"] not in (
                    "completed",
                    "failed",
                ):
                    time.sleep(0.05)
                analysis_s = time.perf_counter() - t1

            print(
                f"auditlens API benchmark — {platform.machine()}, {os.cpu_count()} CPUs, "
                f"SQLite, uvicorn 1 process, {args.clients} clients, {args.requests} requests per endpoint, "
                f"load average at start {os.getloadavg()[0]:.1f}"
            )
            print(
                f"\nupload → findings ready: {args.report.name} "
                f"({len(data) / 1024:.0f} KiB, {doc['pages']} pages)"
            )
            print(f"  202 accepted after      {accepted_ms:8.1f} ms")
            print(f"  findings listed after   {ready_s:8.2f} s   ({len(findings)} findings)")
            print(
                f"  offline analysis job    {analysis_s:8.2f} s   "
                f"({status['done']} done, {status['failed']} failed)"
            )

            targets = [
                ("GET /healthz (baseline)", f"{base}/healthz", {}),
                ("GET /v1/audits/{id}/findings", f"{base}/v1/audits/{audit['id']}/findings", view_h),
                ("GET /v1/findings/{id}/plan", f"{base}/v1/findings/{findings[0]['id']}/plan", view_h),
            ]
            print(f"\n{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
            for label, url, headers in targets:
                r = _load(url, headers, args.clients, args.requests)
                print(
                    f"{label:34} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
                    f"{r['rps']:8.0f} {r['errors']:7.0f}"
                )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
