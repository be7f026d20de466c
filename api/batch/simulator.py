"""A loopback OpenAI-compatible chat server for rehearsing batch runs: latency, RPM/TPM limits, 429s.

It answers `POST /v1/chat/completions` with a JSON document that satisfies the request's JSON schema
(from `response_format` or the single tool), after a configurable latency. Like the real service it
counts a request's prompt tokens plus its `max_tokens` against the TPM limit when the request arrives,
and answers 429 with `Retry-After` / `retry-after-ms` when a limit is exceeded. It counts calls per
distinct user message (one per finding), so tests can prove no finding was sent twice.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The step category a plan must end with; the simulator prefers it whenever an enum offers it.
_PREFERRED_ENUM_VALUES = ("reassessment_retest",)


def count_tokens(text: str) -> int:
    """The simulator's tokenizer: one token per 4 characters (what it bills and limits on)."""
    return max(1, math.ceil(len(text) / 4))


def _pick(options: list[Any], seed: int) -> Any:
    for preferred in _PREFERRED_ENUM_VALUES:
        if preferred in options:
            return preferred
    return options[seed % len(options)]


def instance_for(schema: dict[str, Any], *, seed: int = 0, defs: dict[str, Any] | None = None) -> Any:
    """A minimal document valid against a (strict-mode style) JSON schema; enums vary with `seed`."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return instance_for(defs[schema["$ref"].split("/")[-1]], seed=seed, defs=defs)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if o.get("type") != "null"] or schema[combinator]
            return instance_for(options[0], seed=seed, defs=defs)
    if "enum" in schema:
        return _pick(list(schema["enum"]), seed)
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {k: instance_for(props[k], seed=seed + i, defs=defs) for i, k in enumerate(required)}
    if kind == "array":
        n = int(schema.get("minItems", 0))
        return [instance_for(schema.get("items", {}), seed=seed + i, defs=defs) for i in range(n)]
    if kind == "string":
        text = "Simulated answer text for load testing."
        return text[: schema["maxLength"]] if "maxLength" in schema else text
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        high = int(schema.get("maximum", max(low, 30)))
        return min(max(low, 30), high)
    if kind == "number":
        return float(min(max(float(schema.get("minimum", 0.0)), 0.5), float(schema.get("maximum", 1.0))))
    if kind == "boolean":
        return False
    return None


class _QuietServer(ThreadingHTTPServer):
    """A clients hanging up mid-answer (e.g. a killed batch process) is normal here, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _Bucket:
    """Server-side limit: capacity refilled continuously; `take` says how long to wait when short."""

    def __init__(self, per_minute: float, window_s: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = self.rate * window_s
        self.level = self.capacity
        self.stamp = time.monotonic()

    def take(self, amount: float) -> float:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        need = min(amount, self.capacity)  # a request larger than the window needs a full one, then debt
        if self.level >= need:
            self.level -= amount
            return 0.0
        return (need - self.level) / self.rate


@dataclass
class SimulatorConfig:
    """Knobs of the simulated provider."""

    latency_s: float = 0.2
    rpm: float | None = None
    tpm: float | None = None
    window_s: float = 2.0  # limits are enforced over this sliding horizon (short runs see steady state)
    model: str = "sim-1"
    fail_first_n: int = 0  # answer 500 to the first N requests (fault drills)
    batch_stays_pending: bool = False  # Batch API fake: keep batches `in_progress`


@dataclass
class SimulatorStats:
    """What the simulator saw."""

    requests: int = 0
    ok: int = 0
    throttled: int = 0
    errors: int = 0
    calls_by_message: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMSimulator:
    """Runs the simulator on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, config: SimulatorConfig | None = None, *, port: int = 0) -> None:
        self.config = config or SimulatorConfig()
        self.stats = SimulatorStats()
        self._lock = threading.Lock()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._rpm = _Bucket(self.config.rpm, self.config.window_s) if self.config.rpm else None
        self._tpm = _Bucket(self.config.tpm, self.config.window_s) if self.config.tpm else None
        self._server = _QuietServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="llm-sim", daemon=True)

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL (ends with /v1)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> LLMSimulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def calls_for(self, text_fragment: str) -> int:
        """Calls whose user message contains the fragment."""
        with self._lock:
            return sum(n for msg, n in self.stats.calls_by_message.items() if text_fragment in msg)

    # --- request handling ------------------------------------------------------------------------
    def _admit(self, budget: int) -> float:
        with self._lock:
            self.stats.requests += 1
            if self.stats.requests <= self.config.fail_first_n:
                return -1.0
            wait_r = self._rpm.take(1) if self._rpm else 0.0
            if wait_r > 0:
                self.stats.throttled += 1
                return wait_r
            wait_t = self._tpm.take(budget) if self._tpm else 0.0
            if wait_t > 0:
                # Give back the request slot taken above: the request was refused.
                if self._rpm:
                    self._rpm.level = min(self._rpm.capacity, self._rpm.level + 1)
                self.stats.throttled += 1
                return wait_t
            return 0.0

    def _answer(
        self, body: dict[str, Any], *, online: bool = True
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        messages = body.get("messages") or []
        prompt_text = "".join(str(m.get("content") or "") for m in messages)
        user = next((str(m.get("content") or "") for m in reversed(messages) if m.get("role") == "user"), "")
        prompt_tokens = count_tokens(prompt_text)
        max_tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or 256)
        # Batch API work has its own quota and no latency budget: limits apply to online calls only.
        wait = self._admit(prompt_tokens + max_tokens) if online else 0.0
        if wait < 0:
            with self._lock:
                self.stats.errors += 1
            return 500, {"error": {"message": "simulated server error", "type": "server_error"}}, {}
        if wait > 0:
            headers = {
                "Retry-After": str(max(1, math.ceil(wait))),
                "retry-after-ms": str(int(wait * 1000) + 1),
            }
            error = {
                "message": "Rate limit reached (simulated)",
                "type": "rate_limit_error",
                "code": "rate_limit",
            }
            return 429, {"error": error}, headers
        with self._lock:
            # Counted on arrival: a request whose client dies while it waits still counts as a call.
            self.stats.calls_by_message[user] += 1
        if online:
            time.sleep(self.config.latency_s)
        seed = int(hashlib.sha256(user.encode("utf-8")).hexdigest()[:8], 16)
        schema, tool = _requested_schema(body)
        content = json.dumps(instance_for(schema, seed=seed)) if schema is not None else "{}"
        completion_tokens = min(max_tokens, count_tokens(content))
        with self._lock:
            self.stats.ok += 1
            self.stats.prompt_tokens += prompt_tokens
            self.stats.completion_tokens += completion_tokens
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool is not None:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{seed:x}",
                        "type": "function",
                        "function": {"name": tool, "arguments": content},
                    }
                ],
            }
        payload = {
            "id": f"chatcmpl-sim-{seed:x}-{self.stats.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.config.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
        }
        return 200, payload, {}

    # --- a fake of the Batch API's files + batches endpoints ----------------------------------------
    def _file_upload(self, content_type: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        message = BytesParser(policy=email_default_policy).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
        filename, data = fields.get("file", ("input.jsonl", b""))
        return 200, self._store_file(
            filename or "input.jsonl", data, fields.get("purpose", (None, b"batch"))[1]
        )

    def _store_file(self, filename: str, data: bytes, purpose: bytes = b"batch") -> dict[str, Any]:
        with self._lock:
            file_id = f"file-sim{len(self.files) + 1}"
            self.files[file_id] = data
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose.decode("utf-8", "replace"),
            "status": "processed",
        }

    def _batch_create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("input_file_id") not in self.files:
            return 404, {"error": {"message": f"no file {body.get('input_file_id')}"}}
        with self._lock:
            batch_id = f"batch_sim{len(self.batches) + 1}"
            batch = {
                "id": batch_id,
                "object": "batch",
                "endpoint": body.get("endpoint"),
                "input_file_id": body["input_file_id"],
                "completion_window": body.get("completion_window", "24h"),
                "status": "in_progress",
                "created_at": int(time.time()),
                "metadata": body.get("metadata"),
                "output_file_id": None,
                "error_file_id": None,
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
            }
            self.batches[batch_id] = batch
        return 200, batch

    def _run_batch(self, batch: dict[str, Any]) -> None:
        lines = [json.loads(x) for x in self.files[batch["input_file_id"]].decode("utf-8").splitlines() if x]
        out = []
        for i, line in enumerate(lines):
            status, payload, _ = self._answer(line.get("body") or {}, online=False)
            out.append(
                {
                    "id": f"batch_req_{i}",
                    "custom_id": line.get("custom_id"),
                    "response": {"status_code": status, "request_id": f"req_{i}", "body": payload},
                    "error": None,
                }
            )
        data = "".join(json.dumps(x) + "\n" for x in out).encode("utf-8")
        batch["output_file_id"] = self._store_file(f"{batch['id']}_output.jsonl", data, b"batch_output")["id"]
        batch["status"] = "completed"
        batch["request_counts"] = {"total": len(out), "completed": len(out), "failed": 0}

    def _batch_get(self, path: str) -> tuple[int, dict[str, Any] | bytes]:
        parts = path.split("?")[0].rstrip("/").split("/")
        if len(parts) >= 3 and parts[-3] == "files" and parts[-1] == "content":
            data = self.files.get(parts[-2])
            return (200, data) if data is not None else (404, {"error": {"message": "no such file"}})
        if len(parts) >= 2 and parts[-2] == "batches":
            batch = self.batches.get(parts[-1])
            if batch is None:
                return 404, {"error": {"message": "no such batch"}}
            # The first look after creation "finishes" the batch: the 24 h window, compressed.
            if batch["status"] == "in_progress" and not self.config.batch_stays_pending:
                self._run_batch(batch)
            return 200, batch
        return 404, {"error": {"message": f"no route {path}"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: thousands of requests per run

            def do_GET(self) -> None:
                status, payload = sim._batch_get(self.path)
                if isinstance(payload, bytes):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self._send(status, payload, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                path = self.path.rstrip("/")
                if path.endswith("/files"):
                    self._send(*sim._file_upload(self.headers.get("Content-Type") or "", raw), {})
                    return
                if path.endswith("/batches"):
                    self._send(*sim._batch_create(json.loads(raw or b"{}")), {})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(400, {"error": {"message": "body is not JSON"}}, {})
                    return
                status, payload, headers = sim._answer(body)
                self._send(status, payload, headers)

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _requested_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return dict((fmt.get("json_schema") or {}).get("schema") or {}), None
    tools = body.get("tools") or []
    if tools:
        fn = tools[0].get("function") or {}
        return dict(fn.get("parameters") or {}), str(fn.get("name") or "answer")
    if fmt.get("type") == "json_object":
        return {"type": "object", "properties": {}}, None
    return None, None
