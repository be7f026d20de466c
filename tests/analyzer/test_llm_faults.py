"""The real ChatOpenAI adapter against a loopback OpenAI-compatible server: wire format, retries, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from analyzer.adapters.langchain_chat import LangChainChatModel, StructuredMethod, parse_retry_after
from analyzer.errors import LLMError, LLMTransientError
from analyzer.llm_analyzer import LLMAnalyzer
from analyzer.llm_output import SCHEMA_NAME, answer_json_schema
from analyzer.models import FindingAnalysis
from analyzer.ports import ChatMessage, ChatModel, ChatRequest
from analyzer.retrieval import Retriever
from tests.analyzer.fakes import InMemoryIndex, good_answer, make_chunk, make_finding
from tests.analyzer.openai_stub import Reply, StubServer, completion, error


@pytest.fixture
def server() -> Iterator[StubServer]:
    with StubServer() as s:
        yield s


class SleepLog:
    """Records the waits the retry loop asks for instead of sleeping (keeps the tests fast)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _chat(
    server: StubServer,
    sleep: SleepLog,
    *,
    method: StructuredMethod = "json_schema",
    retries: int = 3,
    timeout: float = 5.0,
) -> LangChainChatModel:
    return LangChainChatModel(
        model="stub-model",
        base_url=server.base_url,
        api_key="sk-test-secret",
        method=method,
        timeout_s=timeout,
        max_retries=retries,
        backoff_base_s=0.5,
        sleep=sleep,
    )


def _analyzer(chat: ChatModel) -> LLMAnalyzer:
    index = InMemoryIndex()
    index.replace_document(
        org_id="org-a",
        document_id="ev1",
        chunks=[make_chunk("ev1:0", "Access reviews are due within 15 days after each quarter end.")],
    )
    return LLMAnalyzer(chat=chat, retriever=Retriever(index=index, approved=None), model_name="stub-model")


def _request() -> ChatRequest:
    return ChatRequest(
        messages=[ChatMessage(role="system", content="sys"), ChatMessage(role="user", content="finding")],
        schema_name=SCHEMA_NAME,
        json_schema=answer_json_schema(),
        max_tokens=700,
    )


def test_adapter_implements_the_port(server: StubServer) -> None:
    assert isinstance(_chat(server, SleepLog()), ChatModel)


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_wire_format_per_structured_method(server: StubServer, method: StructuredMethod) -> None:
    content = json.dumps(good_answer())
    tool = SCHEMA_NAME if method == "function_calling" else None
    server.script(
        completion(content, tool_name=tool, prompt_tokens=4200, completion_tokens=512, cached_tokens=4096)
    )
    result = _chat(server, SleepLog(), method=method).complete(_request())
    assert json.loads(result.content) == good_answer()
    assert (result.input_tokens, result.output_tokens, result.cached_tokens) == (4200, 512, 4096)
    assert result.model == "stub-model" and result.attempts == 1
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["authorization"] == "Bearer sk-test-secret"
    body = sent["json"]
    assert body["temperature"] == 0 and not body.get("stream")
    # the cap goes out under both names: OpenAI reads max_completion_tokens, llama.cpp/Ollama max_tokens
    assert body["max_completion_tokens"] == 700 and body["max_tokens"] == 700
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    if method == "json_schema":
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["schema"] == answer_json_schema()
        assert "tools" not in body
    elif method == "function_calling":
        assert body["tools"][0]["function"]["parameters"] == answer_json_schema()
        assert body["tool_choice"] == {"type": "function", "function": {"name": SCHEMA_NAME}}
        assert "response_format" not in body
    else:
        assert body["response_format"] == {"type": "json_object"}


def test_429_honours_retry_after_then_succeeds(server: StubServer) -> None:
    sleep = SleepLog()
    server.script(
        error(429, "rate limited", {"Retry-After": "7"}),
        error(429, "rate limited", {"retry-after-ms": "2500"}),
        completion(json.dumps(good_answer()), cached_tokens=2048),
    )
    result = _analyzer(_chat(server, sleep)).analyze(make_finding())
    assert result.status == "ok", result.error
    assert len(server.requests) == 3
    assert sleep.waits[0] >= 7.0 and sleep.waits[1] >= 2.5  # never shorter than the server asked
    assert result.provenance.llm_calls == 3 and result.provenance.tokens.cached == 2048


def test_500s_exhaust_the_bounded_retries_then_fail(server: StubServer) -> None:
    sleep = SleepLog()
    server.script(*[error(500, "upstream exploded") for _ in range(5)])
    result = _analyzer(_chat(server, sleep, retries=2)).analyze(make_finding())
    assert result.status == "failed"
    assert (
        result.error
        == "LLM request failed after 3 attempt(s): HTTP 500 from the LLM endpoint: upstream exploded"
    )
    assert len(server.requests) == 3 and len(sleep.waits) == 2
    assert sleep.waits[1] > sleep.waits[0] * 0.9 or sleep.waits[1] >= 0.5  # exponential backoff with jitter
    assert result.exception_type is None and result.action_plan is None
    assert result.provenance.llm_calls == 3


def test_timeout_is_retried_then_fails(server: StubServer) -> None:
    sleep = SleepLog()
    slow = Reply(body=completion("{}").body, delay_s=1.0)
    server.script(slow, slow)
    result = _analyzer(_chat(server, sleep, retries=1, timeout=0.25)).analyze(make_finding())
    assert result.status == "failed"
    assert result.error is not None and "timed out" in result.error and "2 attempt(s)" in result.error
    assert len(sleep.waits) == 1


def test_4xx_other_than_429_is_not_retried(server: StubServer) -> None:
    server.script(error(400, "response_format json_schema is not supported"))
    with pytest.raises(LLMError) as info:
        _chat(server, SleepLog()).complete(_request())
    assert not isinstance(info.value, LLMTransientError)
    assert info.value.attempts == 1 and "HTTP 400" in str(info.value)
    assert len(server.requests) == 1


def test_truncated_json_is_repaired_once_then_failed(server: StubServer) -> None:
    truncated = json.dumps(good_answer())[:180]
    server.script(
        completion(truncated, finish_reason="length", completion_tokens=2048),
        completion(truncated, finish_reason="length", completion_tokens=2048),
    )
    result = _analyzer(_chat(server, SleepLog())).analyze(make_finding())
    assert result.status == "failed" and "not valid JSON" in (result.error or "")
    assert len(server.requests) == 2
    repair_body = server.requests[1]["json"]
    assert repair_body["messages"][2] == {"role": "assistant", "content": truncated}
    assert "rejected: answer is not valid JSON" in repair_body["messages"][3]["content"]
    assert result.provenance.tokens.output == 4096


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (json.dumps(good_answer(exception_type="anything_the_report_says")), "schema violation"),
        (json.dumps(good_answer(["ev1:0", "other-org:3"])), "not retrieved: other-org:3"),
    ],
)
def test_bad_answers_over_http_end_failed(server: StubServer, answer: str, reason: str) -> None:
    server.script(completion(answer), completion(answer))
    result = _analyzer(_chat(server, SleepLog(), method="function_calling")).analyze(make_finding())
    assert result.status == "failed" and reason in (result.error or "")
    assert result.exception_type is None
    assert len(server.requests) == 2


def test_repair_over_http_can_succeed(server: StubServer) -> None:
    server.script(completion("not json at all"), completion(json.dumps(good_answer())))
    result = _analyzer(_chat(server, SleepLog())).analyze(make_finding())
    assert result.status == "ok" and result.provenance.llm_calls == 2
    assert FindingAnalysis.model_validate_json(result.model_dump_json()) == result


def test_retry_after_parsing() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_retry_after_longer_than_the_cap_fails_fast(server: StubServer) -> None:
    sleep = SleepLog()
    server.script(error(429, "quota", {"Retry-After": "3600"}))
    with pytest.raises(LLMTransientError, match="asked to wait 3600s"):
        _chat(server, sleep).complete(_request())
    assert sleep.waits == []
