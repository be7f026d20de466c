"""The bundled offline embedding model: real vectors, normalised, semantically ordered, no network."""

from __future__ import annotations

import math

import pytest

from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.ports import Embedder


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_implements_port_and_normalises(embedder: MiniLMEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    vectors = embedder.embed_documents(["User access was not revoked on termination.", ""])
    assert len(vectors) == 2
    assert all(len(v) == embedder.dimension == 384 for v in vectors)
    assert math.isclose(math.sqrt(sum(x * x for x in vectors[0])), 1.0, rel_tol=1e-4)


def test_similar_texts_are_closer(embedder: MiniLMEmbedder) -> None:
    query = embedder.embed_query("terminated employees kept their system access")
    near, far = embedder.embed_documents(
        [
            "Access of two departed staff members was not removed within the required time.",
            "The data center's fire suppression system was inspected annually.",
        ]
    )
    assert _cos(query, near) > _cos(query, far) + 0.1


def test_batching_keeps_input_order(embedder: MiniLMEmbedder) -> None:
    texts = ["short", "a much longer sentence about backups being restored every quarter", "mid length"]
    together = embedder.embed_documents(texts)
    alone = [embedder.embed_query(t) for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert _cos(a, b) > 0.999


def test_thread_count_comes_from_settings(embedder: MiniLMEmbedder) -> None:
    from analyzer.adapters.embeddings import available_cores, build_embedder
    from analyzer.settings import Settings

    one = build_embedder(Settings(embed_threads=1))
    assert isinstance(one, MiniLMEmbedder)
    assert one._session.get_session_options().intra_op_num_threads == 1
    # 0 (the default) means one thread per usable core; the vectors do not depend on the thread count.
    assert embedder._session.get_session_options().intra_op_num_threads == available_cores()
    text = "Two of 25 sampled changes were deployed before approval."
    pairs = zip(one.embed_query(text), embedder.embed_query(text), strict=True)
    assert max(abs(a - b) for a, b in pairs) < 1e-5
