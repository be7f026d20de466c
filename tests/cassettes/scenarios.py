"""The recorded LLM exchanges: the same code records them (`make cassettes`) and replays them (tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vcr  # type: ignore[import-untyped]

from analyzer.adapters.langchain_chat import LangChainChatModel, StructuredMethod
from analyzer.errors import LLMError
from analyzer.llm_analyzer import LLMAnalyzer, validate_answer
from analyzer.llm_output import SCHEMA_NAME, answer_json_schema
from analyzer.ports import ChatMessage, ChatRequest
from analyzer.retrieval import RetrievalContext, RetrievalSettings, Retriever
from tests.analyzer.fakes import InMemoryIndex, good_answer, make_chunk, make_finding

CASSETTES = Path(__file__).resolve().parent
MANIFEST = CASSETTES / "manifest.json"
# The playbook text as it was when the cassettes were recorded: requests are matched on their body, so
# the prompt must not drift when the playbook file is edited later (re-record to pick such edits up).
PLAYBOOK_SNAPSHOT = CASSETTES / "playbook_snapshot.txt"
# Fixed loopback address the recording server listens on; replay never connects (record_mode="none").
HOST, PORT = "127.0.0.1", 8765
BASE_URL = f"http://{HOST}:{PORT}/v1"
MODEL = "smollm2-135m-instruct"
# max_tokens of the full-analysis scenario (see function_calling_analysis).
ANALYSIS_MAX_TOKENS = 128
SECRET_HEADERS = ["authorization", "api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]


def make_vcr(record_mode: str) -> vcr.VCR:
    """vcrpy configured for these cassettes: secrets filtered, requests matched on their body too."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=["method", "scheme", "host", "port", "path", "body"],
        filter_headers=SECRET_HEADERS,
        decode_compressed_response=True,
    )


def chat(method: StructuredMethod, *, timeout_s: float = 600.0) -> LangChainChatModel:
    """The real adapter pointed at the recording server, with retries off (one request per attempt)."""
    return LangChainChatModel(
        model=MODEL,
        base_url=BASE_URL,
        api_key="sk-recording",
        method=method,
        timeout_s=timeout_s,
        max_retries=0,
    )


def _index() -> InMemoryIndex:
    index = InMemoryIndex()
    index.replace_document(
        org_id="org-a",
        document_id="ev1",
        chunks=[
            make_chunk("ev1:0", "User access reviews are due within 15 days after each quarter end."),
            make_chunk("ev1:1", "Review sign-off log: Q2 signed on day 50, Q3 signed on day 35."),
        ],
    )
    return index


def analyzer(method: StructuredMethod, max_tokens: int) -> LLMAnalyzer:
    """The LLM analyzer as the product builds it, with the recorded playbook text and no playbook hints."""
    return LLMAnalyzer(
        chat=chat(method),
        retriever=Retriever(index=_index(), approved=None, settings=RetrievalSettings(hints=0)),
        model_name=MODEL,
        max_tokens=max_tokens,
        playbook=PLAYBOOK_SNAPSHOT.read_text(encoding="utf-8"),
    )


def _analysis_outcome(method: StructuredMethod, max_tokens: int) -> dict[str, Any]:
    result = analyzer(method, max_tokens).analyze(make_finding())
    p = result.provenance
    return {
        "status": result.status,
        "error": result.error,
        "exception_type": result.exception_type.value if result.exception_type else None,
        "model": p.model,
        "llm_calls": p.llm_calls,
        "tokens": p.tokens.model_dump(),
        "retrieved_chunk_ids": p.retrieved_chunk_ids,
    }


def json_schema_rejected() -> dict[str, Any]:
    """json_schema structured output against llama.cpp's server (it answers HTTP 500)."""
    return _analysis_outcome("json_schema", 512)


def function_calling_analysis() -> dict[str, Any]:
    """A full analysis of a SOC 2 finding through function calling (a 135M model: may fail validation)."""
    # Short on purpose: with 1024 tokens on 1 CPU thread the real server did not answer within 600 s
    # (the 11.4k-token prompt alone took 113 s on 2 threads); a cut-off answer still shows the repair.
    return _analysis_outcome("function_calling", ANALYSIS_MAX_TOKENS)


def function_calling_copy() -> dict[str, Any]:
    """An exchange whose answer validates: the model is asked to return a given valid answer verbatim."""
    expected = good_answer(["ev1:0"])
    request = ChatRequest(
        messages=[
            ChatMessage(
                role="system", content="Call the function with exactly the JSON arguments the user gives."
            ),
            ChatMessage(role="user", content=json.dumps(expected)),
        ],
        schema_name=SCHEMA_NAME,
        json_schema=answer_json_schema(),
        max_tokens=1024,
    )
    context = RetrievalContext(
        finding=make_finding(), chunks=_index().search(org_id="org-a", query="access review", k=2)
    )
    try:
        result = chat("function_calling").complete(request)
    except LLMError as exc:
        return {"status": "error", "error": str(exc)}
    try:
        validate_answer(result.content, context)
        status, error = "ok", None
    except LLMError as exc:
        status, error = "failed", str(exc)
    return {
        "status": status,
        "error": error,
        "model": result.model,
        "tokens": [result.input_tokens, result.output_tokens, result.cached_tokens],
    }


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "llamacpp_json_schema_rejected": json_schema_rejected,
    "llamacpp_function_calling_analysis": function_calling_analysis,
    "llamacpp_function_calling_copy": function_calling_copy,
}
