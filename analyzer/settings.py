"""The one settings object: built once at an entry point, then passed down (never read globally)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob auditlens has, read from `AUDITLENS_*` environment variables or a `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="AUDITLENS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- storage -------------------------------------------------------------------------------
    data_dir: Path = Field(
        default=Path(".auditlens"),
        description="Directory holding the SQLite file, the Chroma directory and uploaded files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means a SQLite file `auditlens.db` inside data_dir.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (HttpClient); unset means a PersistentClient under data_dir.",
    )

    # --- embeddings ----------------------------------------------------------------------------
    embedding_provider: Literal["local", "openai"] = Field(
        default="local",
        description="`local`: bundled all-MiniLM-L6-v2 ONNX model, offline; `openai`: the embeddings API.",
    )
    embedding_model: str = Field(
        default="text-embedding-3-small",
        description="Embedding model name when embedding_provider is `openai`.",
    )
    embed_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads of the local embedding model; 0 means one per CPU core available to us.",
    )

    # --- LLM -----------------------------------------------------------------------------------
    llm_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp).",
    )
    llm_model: str | None = Field(default=None, description="Chat model name sent to the endpoint.")
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("AUDITLENS_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint; OPENAI_API_KEY is honoured too.",
    )
    llm_structured_method: Literal["json_schema", "function_calling", "json_mode"] = Field(
        default="json_schema",
        description="How structured output is requested; some servers (llama.cpp) need function_calling.",
    )
    llm_max_tokens: int = Field(default=2048, ge=64, description="max_tokens for every analysis call.")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one LLM HTTP request.")
    llm_max_retries: int = Field(
        default=3, ge=0, description="Retries on 429/5xx/timeouts, with backoff that honours Retry-After."
    )
    llm_price_in_per_mtok: float = Field(
        default=0.15, ge=0, description="USD per million prompt tokens, for cost estimates and ceilings."
    )
    llm_price_out_per_mtok: float = Field(
        default=0.60, ge=0, description="USD per million completion tokens, for cost estimates and ceilings."
    )

    # --- ingestion limits ------------------------------------------------------------------------
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest accepted file, checked while streaming."
    )
    parse_timeout_s: float = Field(default=300.0, gt=0, description="Wall-clock limit of one parse.")
    parse_memory_mb: int = Field(
        default=2048, gt=0, description="Address-space limit of the parser subprocess, in MiB."
    )
    parse_workers: int = Field(
        default=2,
        ge=1,
        le=8,
        description="Parser processes; a long PDF is split into page ranges parsed by all of them at once.",
    )
    zip_max_uncompressed_bytes: int = Field(
        default=200 * 1024 * 1024, gt=0, description="Largest total uncompressed size of a DOCX/XLSX."
    )
    zip_max_ratio: float = Field(
        default=100.0, gt=1, description="Largest uncompressed/compressed ratio of a DOCX/XLSX."
    )

    # --- service -------------------------------------------------------------------------------
    require_separate_approver: bool = Field(
        default=False, description="When true the approver of a plan must differ from its last editor."
    )
    worker_threads: int = Field(default=2, ge=0, description="Background job threads in the API process.")
    celery_broker_url: str | None = Field(
        default=None, description="Redis URL of the Celery broker; unset keeps the in-process executor."
    )
    celery_queue: str = Field(
        default="auditlens-batch", description="Celery queue the batch tasks are sent to and workers read."
    )
    batch_claim_lease_s: float = Field(
        default=900.0,
        gt=0,
        description="Seconds after which a Celery worker's claim on a batch item counts as abandoned.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'auditlens.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        """Directory of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def uploads_dir(self) -> Path:
        """Directory of uploaded files (server-made names only)."""
        return self.data_dir / "uploads"

    @property
    def llm_configured(self) -> bool:
        """True when an LLM endpoint (or an OpenAI key) is configured."""
        return bool(self.llm_model and (self.llm_base_url or self.llm_api_key))
