"""ChromaIndex on a real PersistentClient: org isolation, filters, atomic replace, no default model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from analyzer.adapters import chroma_index
from analyzer.adapters.chroma_index import ChromaIndex, collection_name
from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.models import Chunk, DocumentKind
from analyzer.ports import Embedder, VectorIndex
from analyzer.settings import Settings
from tests.embedders import FailingEmbedder


def _chunk(
    org: str, audit: str, doc: str, i: int, text: str, kind: DocumentKind = DocumentKind.REPORT
) -> Chunk:
    return Chunk(
        id=f"{doc}-c{i}",
        org_id=org,
        audit_id=audit,
        document_id=doc,
        document=f"{doc}.pdf",
        kind=kind,
        text=text,
        page=i + 1,
        section="Section IV",
        element_ids=[f"e{i}a", f"e{i}b"],
        control_refs=["CC6.1", "CC6.2"] if i == 0 else [],
    )


def _index(tmp_path: Path, embedder: Embedder) -> ChromaIndex:
    return ChromaIndex(embedder=embedder, settings=Settings(data_dir=tmp_path))


def test_implements_port_and_round_trips_metadata(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    assert isinstance(index, VectorIndex)
    chunks = [
        _chunk("org-a", "audit-1", "doc1", 0, "Terminated users kept VPN access for 12 days."),
        _chunk("org-a", "audit-1", "doc1", 1, "Backups were restored quarterly without issues."),
    ]
    assert index.replace_document(org_id="org-a", document_id="doc1", chunks=chunks) == 2
    assert index.document_chunk_count(org_id="org-a", document_id="doc1") == 2
    hits = index.search(org_id="org-a", query="access not removed after termination", k=2)
    assert [h.chunk.id for h in hits] == ["doc1-c0", "doc1-c1"]
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert hits[0].score > hits[1].score
    assert hits[0].chunk == chunks[0]  # every field survives the scalar-only metadata
    assert index.get_chunks(org_id="org-a", chunk_ids=["doc1-c1", "nope", "doc1-c0"]) == [
        chunks[1],
        chunks[0],
    ]


def test_org_isolation_canary(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    canary = "CANARY-7731 zebra quartz password rotation secret of organization B"
    index.replace_document(
        org_id="org-a", document_id="da", chunks=[_chunk("org-a", "a1", "da", 0, "Firewall rules reviewed.")]
    )
    index.replace_document(org_id="org-b", document_id="db", chunks=[_chunk("org-b", "b1", "db", 0, canary)])
    assert collection_name("org-a") != collection_name("org-b")
    hits = index.search(org_id="org-a", query=canary, k=10)
    assert hits and all(h.chunk.org_id == "org-a" for h in hits)
    assert all("CANARY" not in h.chunk.text for h in hits)
    assert index.get_chunks(org_id="org-a", chunk_ids=["db-c0"]) == []
    assert index.document_chunk_count(org_id="org-a", document_id="db") == 0
    index.delete_document(org_id="org-a", document_id="db")  # foreign delete is a no-op
    assert index.document_chunk_count(org_id="org-b", document_id="db") == 1
    assert index.search(org_id="org-c", query=canary, k=5) == []
    with pytest.raises(ValueError):
        index.replace_document(
            org_id="org-a", document_id="db", chunks=[_chunk("org-b", "b1", "db", 0, "smuggled")]
        )


def test_audit_kind_and_exclusion_filters(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    text = "Quarterly user access reviews were performed late."
    index.replace_document(org_id="o", document_id="r1", chunks=[_chunk("o", "2024", "r1", 0, text)])
    index.replace_document(
        org_id="o", document_id="e1", chunks=[_chunk("o", "2025", "e1", 0, text, DocumentKind.EVIDENCE)]
    )
    index.replace_document(
        org_id="o", document_id="p1", chunks=[_chunk("o", "2025", "p1", 0, text, DocumentKind.POLICY)]
    )

    def ids(**kw: object) -> set[str]:
        return {h.chunk.document_id for h in index.search(org_id="o", query=text, k=10, **kw)}  # type: ignore[arg-type]

    assert ids() == {"r1", "e1", "p1"}
    assert ids(audit_id="2025") == {"e1", "p1"}
    assert ids(exclude_audit_id="2025") == {"r1"}
    assert ids(kinds=[DocumentKind.EVIDENCE, DocumentKind.POLICY]) == {"e1", "p1"}
    assert ids(audit_id="2025", kinds=[DocumentKind.POLICY]) == {"p1"}
    assert ids(kinds=[]) == set()


def test_replace_swaps_generations_without_duplicates(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    old = [_chunk("o", "a", "d", i, f"old text number {i}") for i in range(3)]
    new = [_chunk("o", "a", "d", i, f"new text number {i}") for i in range(2)]
    index.replace_document(org_id="o", document_id="d", chunks=old)
    index.replace_document(org_id="o", document_id="d", chunks=new)
    assert index.document_chunk_count(org_id="o", document_id="d") == 2
    texts = sorted(h.chunk.text for h in index.search(org_id="o", query="text number", k=10))
    assert texts == ["new text number 0", "new text number 1"]
    index.delete_document(org_id="o", document_id="d")
    assert index.document_chunk_count(org_id="o", document_id="d") == 0
    assert index.search(org_id="o", query="text number", k=10) == []


def test_failure_mid_document_leaves_previous_version_intact(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    good = _index(tmp_path, minilm)
    first = [_chunk("o", "a", "d", i, f"first version paragraph {i}") for i in range(3)]
    good.replace_document(org_id="o", document_id="d", chunks=first)

    # 150 chunks = 3 embedding batches; the 2nd batch fails after the 1st was written as pending.
    failing = FailingEmbedder(minilm, fail_on_call=2, message="embedding backend went away")
    bad = _index(tmp_path, failing)
    second = [_chunk("o", "a", "d", i, f"second version paragraph {i}") for i in range(150)]
    with pytest.raises(RuntimeError, match="went away"):
        bad.replace_document(org_id="o", document_id="d", chunks=second)
    assert failing.calls == 2

    assert good.document_chunk_count(org_id="o", document_id="d") == 3
    texts = {h.chunk.text for h in good.search(org_id="o", query="version paragraph", k=50)}
    assert texts == {c.text for c in first}
    # and nothing pending is left behind in the raw collection either
    raw = chroma_index.make_client(Settings(data_dir=tmp_path)).get_collection(
        collection_name("o"), embedding_function=cast(Any, chroma_index.EmbedderFunction(minilm))
    )
    assert raw.count() == 3
    assert raw.configuration["hnsw"]["space"] == "cosine"  # type: ignore[index]
    exact = good.search(org_id="o", query=first[0].text, k=1)
    assert exact[0].chunk.id == first[0].id and exact[0].score > 0.99


def test_failure_on_first_document_leaves_nothing(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    bad = _index(tmp_path, FailingEmbedder(minilm, fail_on_call=2))
    chunks = [_chunk("o", "a", "d", i, f"paragraph {i}") for i in range(100)]
    with pytest.raises(RuntimeError):
        bad.replace_document(org_id="o", document_id="d", chunks=chunks)
    good = _index(tmp_path, minilm)
    assert good.document_chunk_count(org_id="o", document_id="d") == 0
    assert good.search(org_id="o", query="paragraph", k=5) == []


def test_embedder_mismatch_is_refused(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    index.replace_document(org_id="o", document_id="d", chunks=[_chunk("o", "a", "d", 0, "text")])

    class Renamed(FailingEmbedder):
        @property
        def name(self) -> str:
            return "another-model"

    other = _index(tmp_path, Renamed(minilm, fail_on_call=-1))
    with pytest.raises(Exception, match="embedded with"):
        other.search(org_id="o", query="text", k=1)


def test_chroma_default_embedding_function_is_never_called(
    tmp_path: Path, minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chromadb.utils import embedding_functions

    def boom(self: object, input: object) -> object:
        raise AssertionError("Chroma's default embedding function was used")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", boom)
    index = _index(tmp_path, minilm)
    index.replace_document(org_id="o", document_id="d", chunks=[_chunk("o", "a", "d", 0, "some text")])
    assert len(index.search(org_id="o", query="some text", k=1)) == 1


@pytest.mark.slow
def test_http_client_against_a_real_server(
    chroma_server: str, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    settings = Settings(data_dir=tmp_path, chroma_url=chroma_server)
    index = ChromaIndex(embedder=minilm, settings=settings)
    index.replace_document(
        org_id="org-a", document_id="d1", chunks=[_chunk("org-a", "a", "d1", 0, "Backups restored monthly.")]
    )
    index.replace_document(
        org_id="org-b", document_id="d2", chunks=[_chunk("org-b", "b", "d2", 0, "CANARY backups of org B")]
    )
    hits = index.search(org_id="org-a", query="backups", k=5)
    assert [h.chunk.id for h in hits] == ["d1-c0"]
    failing = ChromaIndex(embedder=FailingEmbedder(minilm, fail_on_call=2), settings=settings)
    with pytest.raises(RuntimeError):
        failing.replace_document(
            org_id="org-a",
            document_id="d1",
            chunks=[_chunk("org-a", "a", "d1", i, f"replacement {i}") for i in range(100)],
        )
    assert index.document_chunk_count(org_id="org-a", document_id="d1") == 1
    assert [h.chunk.text for h in index.search(org_id="org-a", query="backups", k=5)] == [
        "Backups restored monthly."
    ]
    assert index.search(org_id="org-unknown", query="backups", k=5) == []
    assert index.get_chunks(org_id="org-unknown", chunk_ids=["d1-c0"]) == []
    assert not (tmp_path / "chroma").exists()  # nothing went to the embedded store


def test_records_left_by_a_crash_are_invisible_and_swept(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    index = _index(tmp_path, minilm)
    live = [_chunk("o", "a", "d", 0, "the live version of the document")]
    index.replace_document(org_id="o", document_id="d", chunks=live)
    # What a process killed between writing and flipping leaves behind: pending records of a generation.
    raw = chroma_index.make_client(Settings(data_dir=tmp_path)).get_collection(
        collection_name("o"), embedding_function=cast(Any, chroma_index.EmbedderFunction(minilm))
    )
    orphan = _chunk("o", "a", "d", 1, "half written crash leftover")
    raw.add(
        ids=[f"{orphan.id}#crashed"],
        embeddings=cast(Any, minilm.embed_documents([orphan.text])),
        documents=[orphan.text],
        metadatas=[chroma_index._metadata(orphan, generation="crashed", ordinal=1)],
    )
    assert {h.chunk.text for h in index.search(org_id="o", query="crash leftover", k=5)} == {live[0].text}
    assert index.document_chunk_count(org_id="o", document_id="d") == 1
    assert index.get_chunks(org_id="o", chunk_ids=[orphan.id]) == []

    index.replace_document(org_id="o", document_id="d", chunks=[_chunk("o", "a", "d", 0, "second version")])
    assert raw.count() == 1  # the old live record and the orphan are both gone


def test_a_second_process_is_refused_the_embedded_store_with_a_clear_reason(tmp_path: Path) -> None:
    # Chroma's embedded store is not safe for several processes at once; the second one must be told so
    # (and how to share: a Chroma server), never left to fail on a query later.
    settings = Settings(data_dir=tmp_path)
    chroma_index.make_client(settings)  # this process now holds the store
    chroma_index.make_client(settings)  # ...and may open it again
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from analyzer.adapters.chroma_index import make_client\n"
            "from analyzer.errors import ConfigError\n"
            "from analyzer.settings import Settings\n"
            "try:\n"
            "    make_client(Settings(data_dir=Path(sys.argv[1])))\n"
            "except ConfigError as exc:\n"
            "    print(exc)\n"
            "    sys.exit(3)\n",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert other.returncode == 3, other.stderr[-2000:]
    assert f"in use by auditlens process {os.getpid()}" in other.stdout
    assert "AUDITLENS_CHROMA_URL" in other.stdout


def test_serve_stops_at_start_when_another_process_holds_the_embedded_store(tmp_path: Path) -> None:
    from analyzer.storage.db import Database

    Database(f"sqlite:///{tmp_path / 'auditlens.db'}").upgrade()
    chroma_index.make_client(Settings(data_dir=tmp_path))  # this process holds the store
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITLENS_")}
    env["AUDITLENS_DATA_DIR"] = str(tmp_path)
    served = subprocess.run(
        [str(Path(sys.executable).parent / "auditlens"), "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode != 0
    said = " ".join((served.stderr + served.stdout).split())  # the console wraps long lines
    assert f"is in use by auditlens process {os.getpid()}" in said
    assert "Traceback" not in served.stderr
