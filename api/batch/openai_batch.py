"""Opt-in OpenAI Batch API path for very large runs (half the price, answers within 24 h).

Requests are built by the real LLM analyzer (same prompt, schema, retrieval) through a ChatModel that
records the request instead of sending it; each JSONL line carries the finding id as `custom_id`.
The output is read back through a ChatModel that replays the stored answer for the finding being
analysed, so validation and storage are exactly the online path's. Reviewer-approved examples are
pinned per finding when the input is built, so reading back sees the prompt that was sent. Every line
is stored through the run's item claim: a finding already done is skipped, so ingesting the same output
twice (or a second output after a retry) adds nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import LLMError, LLMOutputError
from analyzer.models import Finding
from analyzer.ports import ApprovedExample, ApprovedExamples, ChatRequest, ChatResult
from api.batch import store as st
from api.batch.runner import ClaimLostError, RunContext, _finding_result
from api.batch.services import pricing_from
from api.batch.summary import write_atomic

BATCH_ENDPOINT = "/v1/chat/completions"
BATCH_PRICE_FACTOR = 0.5


class _Recorded(LLMError):
    """Raised by the recorder after it captured the request (no answer exists yet)."""


class RecordingChatModel:
    """A ChatModel that captures the request of the current thread's finding and answers nothing."""

    def __init__(self) -> None:
        self._local = threading.local()

    def take(self) -> ChatRequest | None:
        """The request captured since the last take."""
        request: ChatRequest | None = getattr(self._local, "request", None)
        self._local.request = None
        return request

    def complete(self, request: ChatRequest) -> ChatResult:
        """Record and refuse."""
        self._local.request = request
        raise _Recorded("recorded for the Batch API")


class ReplayChatModel:
    """A ChatModel that answers the current thread's finding with its stored Batch API result, once."""

    def __init__(self) -> None:
        self._local = threading.local()

    def load(self, result: ChatResult | None) -> None:
        """Set the answer for the next analysis on this thread."""
        self._local.result = result

    def complete(self, request: ChatRequest) -> ChatResult:
        """The stored answer; a second call (a repair) has no answer in batch mode."""
        result: ChatResult | None = getattr(self._local, "result", None)
        self._local.result = None
        if result is None:
            raise LLMOutputError("the Batch API answer was invalid and batch mode makes no repair call")
        return result


def request_line(custom_id: str, model: str, request: ChatRequest) -> dict[str, Any]:
    """One JSONL line of a Batch API input file (chat completions with a strict JSON schema)."""
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": BATCH_ENDPOINT,
        "body": {
            "model": model,
            "messages": [m.model_dump() for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
            },
        },
    }


class PinnedApprovedExamples:
    """Approved examples pinned per finding for one run, so reading the answer back sees what was sent.

    The output is read back by running the same chain again, hours later; a plan approved or revised in
    between would otherwise change the examples and so the prompt the answer is checked against. While
    building the input (`record=True`) the first lookup for a finding is stored as a `pin:` item of the
    run; every later lookup, when reading the output too, returns exactly that. A finding with no pin
    (an input built by an older version) is read back with no examples, as it was sent.
    """

    def __init__(
        self, store: st.RunStore, run_id: str, source: ApprovedExamples | None, *, record: bool
    ) -> None:
        self._store = store
        self._run_id = run_id
        self._source = source
        self._record = record

    @staticmethod
    def pin_key(org_id: str, text: str) -> str:
        """Run item key of the pin for one finding's lookup text."""
        return st.PIN_PREFIX + hashlib.sha256(f"{org_id}\n{text}".encode()).hexdigest()

    def similar(
        self, *, org_id: str, text: str, k: int, exclude_audit_id: str | None = None
    ) -> list[ApprovedExample]:
        """The pinned examples of this finding; when building and none are pinned, look them up and pin."""
        key = self.pin_key(org_id, text)
        pinned = self._store.item_result(self._run_id, key)
        if pinned is None and self._record and self._source is not None:
            found = self._source.similar(org_id=org_id, text=text, k=k, exclude_audit_id=exclude_audit_id)
            examples = [e.model_dump(mode="json") for e in found]
            pin = st.NewItem(key=key, status=st.DONE, result={"examples": examples})
            self._store.add_items(self._run_id, [pin])
            pinned = self._store.item_result(self._run_id, key)  # a concurrent build may have pinned first
        if pinned is None:
            return []
        return [ApprovedExample.model_validate(e) for e in pinned.get("examples") or []][:k]


def _analyzer_with(ctx: RunContext, chat: Any, *, record: bool) -> Any:
    from analyzer.llm_analyzer import LLMAnalyzer
    from analyzer.retrieval import Retriever

    services: Any = ctx.services
    approved = PinnedApprovedExamples(ctx.store, ctx.run_id, services.approved_examples(), record=record)
    return LLMAnalyzer(
        chat=chat,
        retriever=Retriever(index=services._index(), approved=approved),
        model_name=ctx.settings.llm_model or "unknown",
        max_tokens=ctx.settings.llm_max_tokens,
    )


def build_input(ctx: RunContext, path: Path) -> int:
    """Write the Batch API input JSONL for every queued finding of the run; returns the line count."""
    recorder = RecordingChatModel()
    analyzer = _analyzer_with(ctx, recorder, record=True)
    model = ctx.settings.llm_model or "unknown"
    lines: list[str] = []
    for key in ctx.store.pending_keys(ctx.run_id, st.FINDING_PREFIX):
        finding_id = key.removeprefix(st.FINDING_PREFIX)
        finding = ctx.services.load_finding(org_id=ctx.org_id, finding_id=finding_id)
        analyzer.analyze(finding)  # stops at the LLM call, which the recorder captures
        request = recorder.take()
        if request is None:
            continue  # retrieval failed; the online path would record that failure when resumed
        lines.append(json.dumps(request_line(finding_id, model, request)))
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    return len(lines)


@dataclass(frozen=True)
class IngestCounts:
    """What reading a Batch API output did."""

    stored: int
    failed: int
    skipped: int


def _chat_result(line: dict[str, Any]) -> tuple[ChatResult | None, str | None]:
    response = line.get("response") or {}
    if line.get("error") or response.get("status_code") != 200:
        err = line.get("error") or (response.get("body") or {}).get("error") or {}
        message = err.get("message") if isinstance(err, dict) else str(err)
        return None, f"Batch API error (HTTP {response.get('status_code')}): {message or 'no detail'}"
    body = response.get("body") or {}
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content = message.get("content")
    if content is None and message.get("tool_calls"):
        content = message["tool_calls"][0]["function"]["arguments"]
    usage = body.get("usage") or {}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    return (
        ChatResult(
            content=content or "",
            model=body.get("model") or "unknown",
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
            cached_tokens=int(cached),
        ),
        None,
    )


def ingest_output(ctx: RunContext, jsonl: str) -> IngestCounts:
    """Store every answer of a Batch API output through the run's claims (duplicates are skipped)."""
    replay = ReplayChatModel()
    analyzer = _analyzer_with(ctx, replay, record=False)
    pricing = pricing_from(ctx.settings, BATCH_PRICE_FACTOR)
    stored = failed = skipped = 0
    for raw in jsonl.splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        finding_id = str(line.get("custom_id") or "")
        claim = ctx.store.claim(ctx.run_id, st.FINDING_PREFIX + finding_id)
        if claim is None:
            skipped += 1  # already done (or not a finding of this run): nothing is added
            continue
        try:
            result, error = _chat_result(line)
            finding: Finding = ctx.services.load_finding(org_id=ctx.org_id, finding_id=finding_id)
            if result is None:
                ctx.store.complete(
                    claim, status=st.FAILED, result=claim.result, error=f"finding {finding_id}: {error}"
                )
                failed += 1
                continue
            replay.load(result)
            analysis = analyzer.analyze(finding)
            tokens = analysis.provenance.tokens
            row = _finding_result(
                dict(claim.result or {}), analysis, finding, pricing.cost(tokens.input, tokens.output)
            )
            row["via"] = "openai_batch"
            status = st.DONE if analysis.status == "ok" else st.FAILED
            reason = None if status == st.DONE else f"finding {finding_id}: {analysis.error}"
            with ctx.store.database.session() as s:
                row["analysis_id"] = ctx.services.store_analysis(
                    s, org_id=ctx.org_id, finding=finding, analysis=analysis
                )
                if not ctx.store.complete(claim, status=status, result=row, error=reason, session=s):
                    raise ClaimLostError(f"{claim.key}: claim lost")
            stored += status == st.DONE
            failed += status == st.FAILED
        except BaseException:
            ctx.store.release(claim)
            raise
    return IngestCounts(stored=stored, failed=failed, skipped=skipped)


# --- the Batch API itself (files + batches endpoints), through the openai SDK ------------------------
def _client(ctx: RunContext) -> Any:
    import openai

    key = ctx.settings.llm_api_key.get_secret_value() if ctx.settings.llm_api_key else "unset"
    return openai.OpenAI(base_url=ctx.settings.llm_base_url, api_key=key, max_retries=2)


def submit(ctx: RunContext, input_path: Path) -> dict[str, str]:
    """Upload the input file and create the batch; returns ids to keep in the run's params."""
    client = _client(ctx)
    uploaded = client.files.create(
        file=(input_path.name, io.BytesIO(input_path.read_bytes())), purpose="batch"
    )
    batch = client.batches.create(
        input_file_id=uploaded.id,
        endpoint=BATCH_ENDPOINT,
        completion_window="24h",
        metadata={"auditlens_run": ctx.run_id},
    )
    return {"batch_id": batch.id, "input_file_id": uploaded.id}


def poll_and_ingest(ctx: RunContext, batch_id: str, out_dir: Path) -> tuple[str, IngestCounts | None]:
    """Look at the batch once; when it has ended, download its output (and errors) and store them."""
    client = _client(ctx)
    batch = client.batches.retrieve(batch_id)
    if batch.status not in ("completed", "failed", "expired", "cancelled"):
        return str(batch.status), None
    text = ""
    for file_id in (batch.output_file_id, batch.error_file_id):
        if file_id:
            text += client.files.content(file_id).text.rstrip("\n") + "\n"
    write_atomic(out_dir / f"openai-batch-{batch_id}-output.jsonl", text.encode("utf-8"))
    return str(batch.status), ingest_output(ctx, text)
