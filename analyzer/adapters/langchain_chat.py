"""ChatModel port over LangChain's ChatOpenAI: any OpenAI-compatible endpoint, our own bounded retries."""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from analyzer.errors import ConfigError, LLMError, LLMTransientError
from analyzer.ports import ChatMessage, ChatRequest, ChatResult
from analyzer.settings import Settings

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
# Never wait longer than this for one Retry-After; a longer ask fails the request instead of hanging.
MAX_RETRY_AFTER_S = 120.0
_PLACEHOLDER_KEY = "not-needed"  # local servers (llama.cpp, vLLM, Ollama) accept any key


def _to_langchain(messages: list[ChatMessage]) -> list[BaseMessage]:
    kinds: dict[str, type[BaseMessage]] = {
        "system": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    out: list[BaseMessage] = []
    for m in messages:
        if m.role not in kinds:
            raise LLMError(f"unsupported chat role {m.role!r}")
        out.append(kinds[m.role](content=m.content))
    return out


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` / `Retry-After` (seconds or HTTP date), if present."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _content_of(message: AIMessage, method: StructuredMethod) -> str:
    if method == "function_calling":
        if message.tool_calls:
            return json.dumps(message.tool_calls[0]["args"])
        if message.invalid_tool_calls:
            return str(message.invalid_tool_calls[0].get("args") or "")
    content = message.content
    if isinstance(content, list):  # content blocks: keep the text ones
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


class LangChainChatModel:
    """Structured-output chat over ChatOpenAI with temperature 0, max_tokens, a timeout and our retry loop."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        method: StructuredMethod = "json_schema",
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        send_legacy_max_tokens: bool | None = None,
    ) -> None:
        self.model = model
        self.method: StructuredMethod = method
        self.max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._sleep = sleep
        # ChatOpenAI sends `max_completion_tokens`; many OpenAI-compatible servers (llama.cpp, older vLLM
        # and Ollama) only read `max_tokens`, so for a custom base URL we send both to keep the cap real.
        if send_legacy_max_tokens is None:
            send_legacy_max_tokens = bool(base_url) and "api.openai.com" not in (base_url or "")
        self._legacy_max_tokens = send_legacy_max_tokens
        # max_retries=0: the SDK's hidden retries would double ours and ignore our accounting.
        self._llm = ChatOpenAI(
            model=model,
            base_url=base_url,
            api_key=SecretStr(api_key or _PLACEHOLDER_KEY),
            temperature=0.0,
            timeout=timeout_s,
            max_retries=0,
            use_responses_api=False,
            stream_usage=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LangChainChatModel:
        """Build from the LLM settings; raises ConfigError when no model or endpoint is configured."""
        if not settings.llm_configured or not settings.llm_model:
            raise ConfigError(
                "no LLM configured: set AUDITLENS_LLM_MODEL and AUDITLENS_LLM_BASE_URL (or OPENAI_API_KEY)"
            )
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,
            method=settings.llm_structured_method,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )

    def _bound_kwargs(self, request: ChatRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_tokens": request.max_tokens, "temperature": request.temperature}
        if self._legacy_max_tokens:
            kwargs["extra_body"] = {"max_tokens": request.max_tokens}
        if self.method == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
            }
        elif self.method == "function_calling":
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": request.schema_name,
                        "description": "Record the analysis of the audit finding.",
                        "parameters": request.json_schema,
                    },
                }
            ]
            kwargs["tool_choice"] = {"type": "function", "function": {"name": request.schema_name}}
        else:
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _once(self, request: ChatRequest) -> tuple[str, str, dict[str, int]]:
        try:
            message = self._llm.invoke(_to_langchain(request.messages), **self._bound_kwargs(request))
        except openai.LengthFinishReasonError as exc:
            # The answer hit max_tokens: hand back the partial text so validation can say so and repair.
            completion = exc.completion
            text = completion.choices[0].message.content or "" if completion.choices else ""
            usage = completion.usage
            cached = 0
            if usage and usage.prompt_tokens_details and usage.prompt_tokens_details.cached_tokens:
                cached = usage.prompt_tokens_details.cached_tokens
            counts = {
                "input": usage.prompt_tokens if usage else 0,
                "output": usage.completion_tokens if usage else 0,
                "cached": cached,
            }
            return text, completion.model or self.model, counts
        assert isinstance(message, AIMessage)
        meta: dict[str, Any] = dict(message.usage_metadata or {})
        details = meta.get("input_token_details") or {}
        counts = {
            "input": int(meta.get("input_tokens") or 0),
            "output": int(meta.get("output_tokens") or 0),
            "cached": int(details.get("cache_read") or 0),
        }
        model = str(message.response_metadata.get("model_name") or self.model)
        return _content_of(message, self.method), model, counts

    def _delay(self, retry: int, retry_after: float | None) -> float:
        backoff = min(self._backoff_max_s, self._backoff_base_s * (2 ** (retry - 1)))
        backoff *= 0.5 + random.random() / 2  # jitter so parallel workers do not retry in lockstep
        return max(backoff, retry_after) if retry_after is not None else backoff

    def complete(self, request: ChatRequest) -> ChatResult:
        """One structured request, retried on 429/5xx/timeouts with backoff honouring Retry-After."""
        attempts = 0
        while True:
            attempts += 1
            retry_after: float | None = None
            try:
                content, model, counts = self._once(request)
                return ChatResult(
                    content=content,
                    model=model,
                    input_tokens=counts["input"],
                    output_tokens=counts["output"],
                    cached_tokens=counts["cached"],
                    attempts=attempts,
                )
            except openai.APITimeoutError:
                reason = f"request timed out after {self._llm.request_timeout}s"
            except openai.APIConnectionError as exc:
                reason = f"connection failed: {exc.__cause__ or exc}"
            except openai.APIStatusError as exc:
                status = exc.status_code
                detail = _short(exc.message)
                if status != 429 and status < 500:
                    raise LLMError(
                        f"HTTP {status} from the LLM endpoint: {detail}", attempts=attempts
                    ) from None
                retry_after = parse_retry_after(exc.response.headers)
                reason = f"HTTP {status} from the LLM endpoint: {detail}"
            except openai.OpenAIError as exc:  # content filter and other non-retryable SDK errors
                raise LLMError(f"LLM request failed: {_short(str(exc))}", attempts=attempts) from None
            if attempts > self.max_retries:
                raise LLMTransientError(reason, attempts=attempts, retry_after_s=retry_after)
            if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
                raise LLMTransientError(
                    f"{reason}; server asked to wait {retry_after:.0f}s",
                    attempts=attempts,
                    retry_after_s=retry_after,
                )
            self._sleep(self._delay(attempts, retry_after))


_ERROR_PREFIX = re.compile(r"^Error code: \d+ - ")


def _short(text: str, limit: int = 200) -> str:
    one_line = _ERROR_PREFIX.sub("", " ".join(text.split()))
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
