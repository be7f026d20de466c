"""The LLM analyzer: retrieve, render one prompt, make one structured call, validate, repair once, or fail."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from analyzer.errors import AuditlensError, LLMError, LLMOutputError
from analyzer.llm_output import SCHEMA_NAME, LLMFindingAnswer, answer_json_schema
from analyzer.models import (
    ActionPlan,
    Citation,
    Finding,
    FindingAnalysis,
    PlanStep,
    Provenance,
    RootCauseItem,
    TokenUsage,
)
from analyzer.playbook import render_playbook
from analyzer.ports import ApprovedExample, ChatMessage, ChatModel, ChatRequest, ChatResult
from analyzer.prompting import PromptTemplate, load_prompt
from analyzer.retrieval import RetrievalContext, Retriever
from analyzer.taxonomy import (
    EXCEPTION_TYPE_DEFINITIONS,
    ROOT_CAUSE_DEFINITIONS,
    STEP_CATEGORY_DEFINITIONS,
    TYPE_PRECEDENCE,
    VERIFICATION_CATEGORIES,
)

LLM_ANALYZER_VERSION = "llm-1"
PROMPT_ID = "analyze_finding"
PROMPT_VERSION = 1

REPAIR_INSTRUCTION = (
    "Your previous answer was rejected: {reason}\n"
    "Reply again with ONE corrected JSON object that follows the schema from the system message exactly. "
    "Cite only chunk ids that appear in <chunk id=...> tags of the finding message. No prose, no fences."
)


def playbook_text() -> str:
    """The remediation playbook as prompt text: step categories, then the written playbook entries."""
    categories = "\n".join(f"- `{c.value}`: {d}" for c, d in STEP_CATEGORY_DEFINITIONS.items())
    return f"Step categories:\n{categories}\n\n{render_playbook()}"


def stable_inputs(prompt: PromptTemplate, playbook: str | None = None) -> dict[str, Any]:
    """Inputs of the system message; identical for every finding so the prefix is cacheable."""
    return {
        "json_schema": answer_json_schema(),
        "exception_types": [{"id": t.value, "definition": d} for t, d in EXCEPTION_TYPE_DEFINITIONS.items()],
        "type_precedence": [t.value for t in TYPE_PRECEDENCE],
        "root_causes": [{"id": c.value, "definition": d} for c, d in ROOT_CAUSE_DEFINITIONS.items()],
        "playbook": playbook if playbook is not None else playbook_text(),
        "examples": [e.model_dump() for e in prompt.examples],
    }


def _example_view(example: ApprovedExample) -> dict[str, Any]:
    analysis = example.analysis
    plan = analysis.action_plan
    plan_text = ""
    if plan is not None:
        plan_text = plan.summary + " Steps: " + "; ".join(f"{s.category}: {s.title}" for s in plan.steps)
    return {
        "exception_type": analysis.exception_type.value if analysis.exception_type else "",
        "root_causes": [rc.category.value for rc in analysis.root_causes],
        "text": example.finding.text,
        "plan": plan_text,
    }


def finding_inputs(context: RetrievalContext) -> dict[str, Any]:
    """Inputs of the user message: the finding, its chunks, approved examples and playbook hints."""
    f = context.finding
    return {
        "finding": {
            "control_ref": f.control_ref,
            "control_description": f.control_description,
            "test_performed": f.test_performed,
            "title": f.title,
            "text": f.text,
            "sample": f.sample.text if f.sample else None,
            "context": f.context,
            "criteria": f.criteria,
            "cause": f.cause,
            "effect": f.effect,
            "recommendation": f.recommendation,
            "management_response": f.management_response,
        },
        "chunks": [
            {
                "id": rc.chunk.id,
                "document": rc.chunk.document,
                "page": rc.chunk.page or "",
                "kind": rc.chunk.kind.value,
                "text": rc.chunk.text,
            }
            for rc in context.chunks
        ],
        "approved_examples": [_example_view(e) for e in context.approved_examples],
        "playbook_hints": context.playbook_hints,
    }


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "schema violation: " + "; ".join(parts) + more


def validate_answer(content: str, context: RetrievalContext) -> LLMFindingAnswer:
    """Parse and check a model answer; raises LLMOutputError with a one-line reason."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:  # small models wrap JSON in a markdown fence; the JSON inside is still checked in full
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LLMOutputError(f"answer is not valid JSON ({exc.msg} at char {exc.pos})") from None
    try:
        answer = LLMFindingAnswer.model_validate(data)
    except ValidationError as exc:
        raise LLMOutputError(_summarise(exc)) from None
    allowed = set(context.chunk_ids)
    cited = set(answer.cited_chunk_ids) | {e for rc in answer.root_causes for e in rc.evidence}
    unknown = sorted(cited - allowed)
    if unknown:
        raise LLMOutputError(f"cites chunk ids that were not retrieved: {', '.join(unknown[:5])}")
    if answer.action_plan.steps[-1].category not in VERIFICATION_CATEGORIES:
        raise LLMOutputError("the last plan step must be a reassessment_retest step")
    covered = {c for s in answer.action_plan.steps for c in s.addresses}
    missing = sorted(rc.category.value for rc in answer.root_causes if rc.category not in covered)
    if missing:
        raise LLMOutputError(f"no plan step addresses root cause(s): {', '.join(missing)}")
    stray = sorted({c.value for c in covered} - {rc.category.value for rc in answer.root_causes})
    if stray:
        raise LLMOutputError(f"plan steps address causes not listed in root_causes: {', '.join(stray)}")
    return answer


def to_analysis(
    answer: LLMFindingAnswer, context: RetrievalContext, provenance: Provenance
) -> FindingAnalysis:
    """Turn a validated answer into the product's FindingAnalysis with citation locations filled in."""
    by_id = {rc.chunk.id: rc.chunk for rc in context.chunks}
    cited: list[str] = []
    for cid in [*answer.cited_chunk_ids, *(e for rc in answer.root_causes for e in rc.evidence)]:
        if cid not in cited:
            cited.append(cid)
    plan = answer.action_plan
    return FindingAnalysis(
        finding_id=context.finding.id,
        status="ok",
        exception_type=answer.exception_type,
        other_types=[t for t in dict.fromkeys(answer.other_types) if t != answer.exception_type],
        confidence=answer.confidence,
        rationale=answer.rationale,
        root_causes=[
            RootCauseItem(category=rc.category, explanation=rc.explanation, evidence=list(rc.evidence))
            for rc in answer.root_causes
        ],
        action_plan=ActionPlan(
            summary=plan.summary,
            severity=plan.severity,
            severity_reason=plan.severity_reason,
            steps=[
                PlanStep(
                    title=s.title,
                    description=s.description,
                    category=s.category,
                    owner_role=s.owner_role,
                    due_in_days=s.due_in_days,
                    evidence_of_completion=s.evidence_of_completion,
                )
                for s in plan.steps
            ],
        ),
        citations=[
            Citation(chunk_id=cid, document=by_id[cid].document, page=by_id[cid].page) for cid in cited
        ],
        provenance=provenance,
    )


class LLMAnalyzer:
    """Analyzer port over a ChatModel: one structured call per finding, one repair, never a default class."""

    def __init__(
        self,
        *,
        chat: ChatModel,
        retriever: Retriever,
        model_name: str,
        max_tokens: int = 2048,
        prompt: PromptTemplate | None = None,
        playbook: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._chat = chat
        self._retriever = retriever
        self._model_name = model_name
        self._max_tokens = max_tokens
        self._prompt = prompt or load_prompt(PROMPT_ID, PROMPT_VERSION)
        self._clock = clock
        self._schema = answer_json_schema()
        # Rendered once: the byte-identical prefix every request starts with.
        self._system = self._prompt.render_system(**stable_inputs(self._prompt, playbook))
        # What the provider caches and the model reads before any finding: recorded with every analysis,
        # because the playbook is rendered into it and can change without the prompt file changing.
        prefix = self._system + "\x00" + json.dumps(self._schema, sort_keys=True, separators=(",", ":"))
        self._prefix_hash = hashlib.sha256(prefix.encode("utf-8")).hexdigest()

    @property
    def kind(self) -> str:
        """Always `llm`."""
        return "llm"

    @property
    def prompt(self) -> PromptTemplate:
        """The prompt in use."""
        return self._prompt

    @property
    def system_message(self) -> str:
        """The stable prefix (system message) sent first in every request."""
        return self._system

    def build_messages(self, context: RetrievalContext) -> list[ChatMessage]:
        """System prefix first, then the finding-specific user message."""
        user = self._prompt.render_user(**finding_inputs(context))
        return [ChatMessage(role="system", content=self._system), ChatMessage(role="user", content=user)]

    def _request(self, messages: list[ChatMessage]) -> ChatRequest:
        return ChatRequest(
            messages=messages,
            schema_name=SCHEMA_NAME,
            json_schema=self._schema,
            max_tokens=self._max_tokens,
            temperature=0.0,
        )

    def analyze(self, finding: Finding) -> FindingAnalysis:
        """Analyse one finding; a bad or missing answer gives status=failed with the reason."""
        started = self._clock()
        usage = TokenUsage()
        calls = 0
        model = self._model_name
        chunk_ids: list[str] = []

        def provenance() -> Provenance:
            return Provenance(
                analyzer="llm",
                analyzer_version=LLM_ANALYZER_VERSION,
                model=model,
                prompt_id=self._prompt.id,
                prompt_version=self._prompt.version,
                prompt_hash=self._prompt.content_hash,
                prefix_hash=self._prefix_hash,
                retrieved_chunk_ids=chunk_ids,
                tokens=usage.model_copy(),
                llm_calls=calls,
                latency_ms=max(0.0, (self._clock() - started) * 1000.0),
            )

        def failed(reason: str) -> FindingAnalysis:
            return FindingAnalysis(
                finding_id=finding.id, status="failed", error=reason, provenance=provenance()
            )

        def record(result: ChatResult) -> None:
            nonlocal calls, model
            calls += result.attempts
            model = result.model or model
            usage.input += result.input_tokens
            usage.output += result.output_tokens
            usage.cached += result.cached_tokens

        try:
            context = self._retriever.retrieve(finding)
        except AuditlensError as exc:
            return failed(f"retrieval failed: {exc}")
        chunk_ids = context.chunk_ids
        messages = self.build_messages(context)
        reason = ""
        for _attempt in range(2):  # the first answer, then exactly one repair
            try:
                result = self._chat.complete(self._request(messages))
            except LLMError as exc:
                calls += exc.attempts
                return failed(f"LLM request failed after {exc.attempts} attempt(s): {exc}")
            record(result)
            try:
                answer = validate_answer(result.content, context)
            except LLMOutputError as exc:
                reason = str(exc)
                messages = [
                    *messages,
                    ChatMessage(role="assistant", content=result.content),
                    ChatMessage(role="user", content=REPAIR_INSTRUCTION.format(reason=reason)),
                ]
                continue
            return to_analysis(answer, context, provenance())
        return failed(f"invalid model output after one repair: {reason}")
