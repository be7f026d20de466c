"""Chroma vector index: one collection per organization, org-scoped queries, all-or-nothing replaces.

How a document replace stays atomic for readers: new chunks are written under a fresh generation with
`state=pending` (searches only ever match `state=live`), then one update flips the new generation to
live and the previous one to retired, and only then are retired and stale pending records deleted.
A failure before the flip deletes the pending records; a crash leaves only invisible records that the
next replace of the same document sweeps away.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlparse

import chromadb
import chromadb.config
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.errors import NotFoundError as ChromaNotFoundError

from analyzer.errors import ConfigError
from analyzer.models import Chunk, DocumentKind, RetrievedChunk
from analyzer.ports import Embedder
from analyzer.settings import Settings

LIVE = "live"
PENDING = "pending"
RETIRED = "retired"
_EMBED_BATCH = 64  # chunks embedded and written per step; small enough to bound memory
_LIST_SEP = "|"  # Chroma metadata values are scalars, so lists are joined with this


class EmbedderFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by our Embedder port (so Chroma never loads its own model)."""

    def __init__(self, embedder: Embedder | None, model: str | None = None) -> None:
        self._embedder = embedder
        self._model = model or (embedder.name if embedder is not None else "unknown")

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents with the wrapped embedder."""
        return cast(Embeddings, self._require().embed_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        """Embed queries with the wrapped embedder."""
        embedder = self._require()
        return cast(Embeddings, [embedder.embed_query(text) for text in input])

    def _require(self) -> Embedder:
        if self._embedder is None:
            raise ConfigError("this Chroma collection belongs to auditlens; open it through auditlens")
        return self._embedder

    @staticmethod
    def name() -> str:
        """Name persisted in the collection configuration."""
        return "auditlens"

    def default_space(self) -> Any:
        """Our vectors are compared by cosine distance."""
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        """Serializable description (the model name only; the model itself is never rebuilt by Chroma)."""
        return {"model": self._model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbedderFunction:
        """Placeholder rebuilt by Chroma from persisted config; it refuses to embed (no hidden model load)."""
        return EmbedderFunction(None, model=str(config.get("model", "unknown")))


def collection_name(org_id: str) -> str:
    """Collection of one organization: derived from a hash so any org id gives a valid, opaque name."""
    return "org-" + hashlib.sha256(org_id.encode("utf-8")).hexdigest()[:40]


def make_client(settings: Settings) -> ClientAPI:
    """PersistentClient under the data dir, or HttpClient when AUDITLENS_CHROMA_URL is set; no telemetry."""
    chroma_settings = chromadb.config.Settings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"AUDITLENS_CHROMA_URL must be an http(s) URL, got {settings.chroma_url!r}")
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    hold_local_store(settings.chroma_dir)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


# Local stores this process holds, by resolved path; the open file keeps the lock until the process ends.
_HELD: dict[Path, IO[str]] = {}
_HELD_LOCK = threading.Lock()


def hold_local_store(chroma_dir: Path) -> None:
    """Make this process the only one using a local Chroma directory; ConfigError when another one is."""
    # Chroma's embedded store keeps part of its state in each process's memory: measured here, a process
    # reading while another writes fails with "Error finding id", and two processes creating a store at
    # once fail with "table collections already exists". Several processes need a Chroma server.
    path = chroma_dir.resolve()
    with _HELD_LOCK:
        if path in _HELD:
            return
        path.mkdir(parents=True, exist_ok=True)
        handle = (path / ".auditlens.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ConfigError(
                f"the local vector store {path} is in use by {holder}; only one process may use it at a "
                "time: stop that process, or run a Chroma server (`chroma run --path DIR`) and set "
                "AUDITLENS_CHROMA_URL so that several processes can share it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"auditlens process {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        _HELD[path] = handle


def _metadata(chunk: Chunk, *, generation: str, ordinal: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "org_id": chunk.org_id,
        "audit_id": chunk.audit_id,
        "document_id": chunk.document_id,
        "document": chunk.document,
        "kind": str(chunk.kind),
        "chunk_id": chunk.id,
        "element_ids": _LIST_SEP.join(chunk.element_ids),
        "control_refs": _LIST_SEP.join(chunk.control_refs),
        "generation": generation,
        "state": PENDING,
        "ordinal": ordinal,
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    if chunk.section is not None:
        meta["section"] = chunk.section
    return meta


def _split(value: Any) -> list[str]:
    return [part for part in str(value or "").split(_LIST_SEP) if part]


def _chunk_from_record(text: str | None, meta: dict[str, Any]) -> Chunk:
    page = meta.get("page")
    return Chunk(
        id=str(meta["chunk_id"]),
        org_id=str(meta["org_id"]),
        audit_id=str(meta["audit_id"]),
        document_id=str(meta["document_id"]),
        document=str(meta.get("document", "")),
        kind=DocumentKind(str(meta.get("kind", DocumentKind.REPORT))),
        text=text or "",
        page=int(page) if page is not None else None,
        section=str(meta["section"]) if meta.get("section") is not None else None,
        element_ids=_split(meta.get("element_ids")),
        control_refs=_split(meta.get("control_refs")),
    )


def _where(*clauses: dict[str, Any]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$and": list(clauses)}


class ChromaIndex:
    """VectorIndex on Chroma; every call is scoped to one organization's collection and metadata."""

    def __init__(
        self, *, embedder: Embedder, client: ClientAPI | None = None, settings: Settings | None = None
    ):
        if client is None:
            if settings is None:
                raise ConfigError("ChromaIndex needs a Chroma client or the settings to build one")
            client = make_client(settings)
        self._client = client
        self._embedder = embedder
        self._function = EmbedderFunction(embedder)

    # --- collections --------------------------------------------------------------------------
    def _collection(self, org_id: str, *, create: bool) -> Collection | None:
        name = collection_name(org_id)
        ef = cast(Any, self._function)
        if create:
            collection = self._client.get_or_create_collection(
                name=name,
                embedding_function=ef,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"org_id": org_id, "embedding_model": self._embedder.name},
            )
        else:
            try:
                collection = self._client.get_collection(name=name, embedding_function=ef)
            except (ChromaNotFoundError, ValueError):
                return None
        stored_model = (collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != self._embedder.name:
            raise ConfigError(
                f"this organization's chunks were embedded with {stored_model} but the configured "
                f"embedder is {self._embedder.name}; switch back or re-ingest into a fresh data dir"
            )
        return collection

    def _batch_size(self) -> int:
        return max(1, min(self._client.get_max_batch_size(), 5000))

    # --- writes -------------------------------------------------------------------------------
    def replace_document(self, *, org_id: str, document_id: str, chunks: Sequence[Chunk]) -> int:
        """Store all chunks of one document, replacing earlier ones, visible all at once or not at all."""
        for chunk in chunks:
            if chunk.org_id != org_id or chunk.document_id != document_id:
                raise ValueError(f"chunk {chunk.id} does not belong to document {document_id} of this org")
        collection = self._collection(org_id, create=True)
        assert collection is not None
        generation = uuid.uuid4().hex
        new_ids: list[str] = []
        try:
            for start in range(0, len(chunks), _EMBED_BATCH):
                batch = chunks[start : start + _EMBED_BATCH]
                vectors = self._embedder.embed_documents([c.text for c in batch])
                ids = [f"{c.id}#{generation}" for c in batch]
                collection.add(
                    ids=ids,
                    embeddings=cast(Any, vectors),
                    documents=[c.text for c in batch],
                    metadatas=[
                        _metadata(c, generation=generation, ordinal=start + i) for i, c in enumerate(batch)
                    ],
                )
                new_ids.extend(ids)
            previous = self._record_ids(collection, org_id=org_id, document_id=document_id)
            stale = [rid for rid in previous if rid not in set(new_ids)]
            flips = [(rid, LIVE) for rid in new_ids] + [(rid, RETIRED) for rid in stale]
            # One update call per batch: with a normal-sized document this is a single write.
            size = self._batch_size()
            for start in range(0, len(flips), size):
                part = flips[start : start + size]
                collection.update(ids=[rid for rid, _ in part], metadatas=[{"state": s} for _, s in part])
        except BaseException:
            # Pending records are invisible anyway; a failed cleanup must not hide the original error,
            # and the next replace of this document sweeps whatever is left.
            with contextlib.suppress(Exception):
                self._delete_ids(collection, new_ids, generation=generation, org_id=org_id)
            raise
        self._delete_ids(collection, stale)
        return len(new_ids)

    def _record_ids(self, collection: Collection, *, org_id: str, document_id: str) -> list[str]:
        found = collection.get(where=_where({"org_id": org_id}, {"document_id": document_id}), include=[])
        return list(found["ids"])

    def _delete_ids(
        self,
        collection: Collection,
        ids: Sequence[str],
        *,
        generation: str | None = None,
        org_id: str | None = None,
    ) -> None:
        size = self._batch_size()
        for start in range(0, len(ids), size):
            collection.delete(ids=list(ids[start : start + size]))
        if generation is not None and org_id is not None:
            # Also catches a batch whose add reached the store before the error surfaced.
            collection.delete(where=_where({"org_id": org_id}, {"generation": generation}))

    def delete_document(self, *, org_id: str, document_id: str) -> None:
        """Remove every chunk of a document (any generation, any state)."""
        collection = self._collection(org_id, create=False)
        if collection is None:
            return
        self._delete_ids(collection, self._record_ids(collection, org_id=org_id, document_id=document_id))

    # --- reads --------------------------------------------------------------------------------
    def document_chunk_count(self, *, org_id: str, document_id: str) -> int:
        """How many live chunks of the document are stored."""
        collection = self._collection(org_id, create=False)
        if collection is None:
            return 0
        found = collection.get(
            where=_where({"org_id": org_id}, {"document_id": document_id}, {"state": LIVE}), include=[]
        )
        return len(found["ids"])

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
        """Nearest live chunks of one organization; score is cosine similarity clipped to [0, 1]."""
        if k <= 0:
            return []
        collection = self._collection(org_id, create=False)
        if collection is None:
            return []
        clauses: list[dict[str, Any]] = [{"org_id": org_id}, {"state": LIVE}]
        if audit_id is not None:
            clauses.append({"audit_id": audit_id})
        if exclude_audit_id is not None:
            clauses.append({"audit_id": {"$ne": exclude_audit_id}})
        if kinds is not None:
            if not kinds:
                return []
            clauses.append({"kind": {"$in": [str(kind) for kind in kinds]}})
        vector = self._embedder.embed_query(query)
        result = collection.query(
            query_embeddings=cast(Any, [vector]),
            n_results=k,
            where=_where(*clauses),
            include=cast(Any, ["documents", "metadatas", "distances"]),
        )
        docs = (result.get("documents") or [[]])[0]
        metas = (result.get("metadatas") or [[]])[0]
        dists = (result.get("distances") or [[]])[0]
        out: list[RetrievedChunk] = []
        for text, meta, distance in zip(docs, metas, dists, strict=True):
            if meta is None or meta.get("org_id") != org_id:  # belt and braces: never leak another org
                continue
            score = min(1.0, max(0.0, 1.0 - float(distance)))
            out.append(RetrievedChunk(chunk=_chunk_from_record(text, dict(meta)), score=score))
        return out

    def get_chunks(self, *, org_id: str, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Live chunks of one organization by chunk id, in the order asked (unknown ids are absent)."""
        if not chunk_ids:
            return []
        collection = self._collection(org_id, create=False)
        if collection is None:
            return []
        found = collection.get(
            where=_where({"org_id": org_id}, {"state": LIVE}, {"chunk_id": {"$in": list(chunk_ids)}}),
            include=cast(Any, ["documents", "metadatas"]),
        )
        by_id: dict[str, Chunk] = {}
        for text, meta in zip(found["documents"] or [], found["metadatas"] or [], strict=True):
            if meta is not None and meta.get("org_id") == org_id:
                chunk = _chunk_from_record(text, dict(meta))
                by_id[chunk.id] = chunk
        return [by_id[cid] for cid in chunk_ids if cid in by_id]
