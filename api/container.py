"""The container: every long-lived part of the service, built once from Settings and passed down.

Tests build one with their own parts (temp dirs, fake chat model) and hand it to `create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from analyzer.ports import ApprovedExamples, ChatModel, Embedder, VectorIndex
from analyzer.settings import Settings
from analyzer.storage.db import Database


@dataclass
class Container:
    """Holds settings and lazily builds the shared parts; override any attribute before first use."""

    settings: Settings
    overrides: dict[str, object] = field(default_factory=dict)

    @cached_property
    def database(self) -> Database:
        """The SQL database (SQLite file under data_dir unless a URL is set)."""
        return Database(self.settings.resolved_database_url)

    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedder (offline MiniLM by default; OpenAI when configured)."""
        from analyzer.adapters.embeddings import build_embedder

        return build_embedder(self.settings)

    @cached_property
    def vector_index(self) -> VectorIndex:
        """The Chroma vector index (PersistentClient under data_dir unless a Chroma URL is set)."""
        from analyzer.adapters.chroma_index import ChromaIndex

        return ChromaIndex(embedder=self.embedder, settings=self.settings)

    @cached_property
    def chat_model(self) -> ChatModel:
        """The configured LLM (ChatOpenAI adapter); ConfigError when no LLM is configured."""
        from analyzer.adapters.langchain_chat import LangChainChatModel

        return LangChainChatModel.from_settings(self.settings)

    @cached_property
    def approved_examples(self) -> ApprovedExamples:
        """Reviewer-approved findings and plans of an organization, for retrieval (SQL + embedder)."""
        from analyzer.storage.approved_examples import SqlApprovedExamples

        return SqlApprovedExamples(self.database, self.embedder)
