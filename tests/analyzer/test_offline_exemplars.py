"""The written exemplar bank and the exemplar-only kNN baseline."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.errors import ConfigError
from analyzer.offline import ExemplarKnn, load_exemplars
from analyzer.offline.exemplars import BANK_PATH
from analyzer.taxonomy import ExceptionType, RootCause


def test_bank_has_at_least_ten_examples_per_type() -> None:
    counts = Counter(ex.type for ex in load_exemplars())
    assert set(counts) == set(ExceptionType)
    assert min(counts.values()) >= 10, counts
    assert sum(counts.values()) >= 70


def test_bank_covers_every_root_cause_and_some_examples_state_none() -> None:
    bank = load_exemplars()
    covered = {c for ex in bank for c in ex.causes}
    assert covered == set(RootCause)
    assert any(not ex.causes for ex in bank)  # examples where nothing supports a cause
    assert all(len(ex.causes) <= 3 for ex in bank)


def test_bank_ids_are_unique_and_texts_distinct() -> None:
    bank = load_exemplars()
    assert len({ex.id for ex in bank}) == len(bank)
    assert len({ex.text for ex in bank}) == len(bank)


def test_duplicate_ids_are_rejected_naming_the_file(tmp_path: Path) -> None:
    body = (
        "version: 1\nexemplars:\n"
        "  - {id: a, type: control_gap, text: 'No process existed for reviewing access at all.'}\n"
        "  - {id: a, type: control_gap, text: 'No policy existed for encrypting laptops at all.'}\n"
    )
    path = tmp_path / "bank.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bank\.yaml: duplicate exemplar id 'a'"):
        load_exemplars(path)


def test_unknown_type_is_rejected_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "version: 1\nexemplars:\n  - {id: a, type: bad_type, text: 'Some long enough finding text here.'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"invalid exemplar bank at exemplars\.0\.type"):
        load_exemplars(path)


def test_packaged_bank_file_is_the_default() -> None:
    assert BANK_PATH.name == "exemplars.yaml" and BANK_PATH.is_file()
    assert load_exemplars(BANK_PATH) == load_exemplars()


@pytest.fixture(scope="module")
def knn() -> ExemplarKnn:
    return ExemplarKnn(MiniLMEmbedder())


def test_knn_finds_an_exemplar_itself_first(knn: ExemplarKnn) -> None:
    for ex in knn.exemplars[::9]:
        best = knn.neighbours(ex.full_text)[0]
        assert best.exemplar.id == ex.id
        assert best.score == pytest.approx(1.0, abs=1e-3)


def test_knn_votes_are_shares_and_prediction_is_stable(knn: ExemplarKnn) -> None:
    text = "The SOC 1 report of the payroll service organization was not obtained or reviewed."
    votes = knn.type_scores(text)
    assert sum(votes.values()) == pytest.approx(1.0)
    assert knn.predict(text) is ExceptionType.VENDOR_NONCOMPLIANCE
    assert [n.exemplar.id for n in knn.neighbours(text)] == [n.exemplar.id for n in knn.neighbours(text)]


def test_knn_needs_text_or_vector(knn: ExemplarKnn) -> None:
    with pytest.raises(ValueError, match="needs a text or a vector"):
        knn.neighbours()
