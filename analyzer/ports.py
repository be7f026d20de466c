"""Typed ports the analyzer core depends on; adapters (ONNX, Chroma, LangChain, SQL) implement them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from analyzer.models import Chunk, DocumentKind, Finding, FindingAnalysis, RetrievedChunk


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into fixed-size vectors."""

    @property
    def name(self) -> str:
        """Model name recorded in provenance."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed many passages."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """Org-scoped chunk storage and similarity search. Every call names the organization."""

    def replace_document(self, *, org_id: str, document_id: str, chunks: Sequence[Chunk]) -> int:
        """Store all chunks of one document, replacing any earlier ones, all-or-nothing; returns count."""
        ...

    def delete_document(self, *, org_id: str, document_id: str) -> None:
        """Remove every chunk of a document."""
        ...

    def document_chunk_count(self, *, org_id: str, document_id: str) -> int:
        """How many chunks of the document are stored."""
        ...

    def search(
        self,
        *,
        org_id: str,
        query: str,
        k: int,
        audit_id: str | None = None,
        kinds: Sequence[DocumentKind] | None = None,
        exclude_audit_id: str | None = None,
    ) -> list[RetrievedChunk]:
        """Nearest chunks of one organization, optionally limited to an audit and document kinds."""
        ...

    def get_chunks(self, *, org_id: str, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Fetch chunks by id within one organization (unknown or foreign ids are simply absent)."""
        ...


class ChatMessage(BaseModel):
    """One chat message."""

    role: str = Field(description="system, user or assistant.")
    content: str = Field(description="Message text.")


class ChatRequest(BaseModel):
    """A structured-output chat request, provider-neutral."""

    messages: list[ChatMessage] = Field(description="Messages; the stable prefix comes first.")
    schema_name: str = Field(description="Name of the JSON schema the answer must follow.")
    json_schema: dict[str, Any] = Field(description="JSON schema of the answer (OpenAI strict-compatible).")
    max_tokens: int = Field(description="Completion token cap.")
    temperature: float = Field(default=0.0, description="Sampling temperature.")


class ChatResult(BaseModel):
    """What a chat model answered."""

    content: str = Field(description="Raw JSON text of the answer.")
    model: str = Field(description="Model name the server reported.")
    input_tokens: int = Field(default=0, description="Prompt tokens.")
    output_tokens: int = Field(default=0, description="Completion tokens.")
    cached_tokens: int = Field(default=0, description="Prompt tokens served from cache.")
    attempts: int = Field(default=1, description="HTTP attempts it took (retries included).")


@runtime_checkable
class ChatModel(Protocol):
    """One method: send a structured-output request, get the raw answer back."""

    def complete(self, request: ChatRequest) -> ChatResult:
        """Run one request; raises analyzer.errors.LLMError subclasses on failure."""
        ...


class ApprovedExample(BaseModel):
    """A finding from an earlier audit with the plan a reviewer approved for it."""

    finding: Finding = Field(description="The earlier finding.")
    analysis: FindingAnalysis = Field(description="Its analysis with the reviewer-approved plan.")
    score: float = Field(description="Similarity to the current finding in [0, 1].")


@runtime_checkable
class ApprovedExamples(Protocol):
    """Source of an organization's reviewer-approved findings and plans."""

    def similar(
        self, *, org_id: str, text: str, k: int, exclude_audit_id: str | None = None
    ) -> list[ApprovedExample]:
        """Approved examples of one organization nearest to the text."""
        ...


@runtime_checkable
class Analyzer(Protocol):
    """Anything that turns a finding into a FindingAnalysis (offline rules or an LLM chain)."""

    @property
    def kind(self) -> str:
        """`offline` or `llm`."""
        ...

    def analyze(self, finding: Finding) -> FindingAnalysis:
        """Analyse one finding; never raises for a bad model answer (returns status=failed)."""
        ...
