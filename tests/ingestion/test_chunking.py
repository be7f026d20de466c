"""Element-aware chunking and control reference normalisation (pure functions, no parser process)."""

from __future__ import annotations

import itertools

import pytest

from analyzer.models import DocumentKind
from ingestion.chunking import chunk_document, split_text
from ingestion.controlrefs import find_control_refs, iter_control_refs, normalize_control_ref
from ingestion.elements import Element, ParsedDocument


def _doc(*elements: tuple[str, str, int | None], kind: DocumentKind = DocumentKind.REPORT) -> ParsedDocument:
    return ParsedDocument(
        filename="report.pdf",
        content_hash="0" * 64,
        media_type="application/pdf",
        kind=kind,
        pages=3,
        elements=[
            Element(id=f"e{i}", category=cat, text=text, page=page)
            for i, (cat, text, page) in enumerate(elements)
        ],
    )


def _chunks(parsed: ParsedDocument, **kw: int) -> list:  # type: ignore[type-arg]
    return chunk_document(parsed, org_id="org-a", audit_id="fy24", document_id="doc1", **kw)


def test_each_title_starts_a_chunk_and_names_its_section() -> None:
    parsed = _doc(
        ("Title", "Section IV Testing", 1),
        ("NarrativeText", "CC6.1 Access requires MFA. No exceptions noted.", 1),
        ("Title", "Management's Response", 2),
        ("NarrativeText", "We have fixed the leaver process for CC6.2.", 2),
    )
    chunks = _chunks(parsed)
    assert [c.id for c in chunks] == ["doc1:0000", "doc1:0001"]
    assert [c.section for c in chunks] == ["Section IV Testing", "Management's Response"]
    assert chunks[0].text == "Section IV Testing\nCC6.1 Access requires MFA. No exceptions noted."
    assert [c.page for c in chunks] == [1, 2]
    assert [c.element_ids for c in chunks] == [["e0", "e1"], ["e2", "e3"]]
    assert [c.control_refs for c in chunks] == [["CC6.1"], ["CC6.2"]]
    assert {(c.org_id, c.audit_id, c.document_id, c.document, c.kind) for c in chunks} == {
        ("org-a", "fy24", "doc1", "report.pdf", DocumentKind.REPORT)
    }


def test_consecutive_titles_share_a_chunk_and_headers_are_dropped() -> None:
    parsed = _doc(
        ("Header", "Acme Corp SOC 2 Type II", 1),
        ("Title", "Section IV", 1),
        ("Title", "Tests of Controls", 1),
        ("NarrativeText", "The auditor tested each control.", 1),
        ("Footer", "Page 1 of 30", 1),
    )
    (chunk,) = _chunks(parsed)
    assert chunk.text == "Section IV\nTests of Controls\nThe auditor tested each control."
    assert chunk.section == "Tests of Controls"
    assert chunk.element_ids == ["e1", "e2", "e3"]


def test_size_cap_with_overlap_and_pages() -> None:
    sentences = [
        ("NarrativeText", f"Sentence number {i} describes a tested control in some detail.", 1 + i // 10)
        for i in range(30)
    ]
    parsed = _doc(("Title", "Results", 1), *sentences)
    chunks = _chunks(parsed, max_chars=400, overlap=60)
    assert len(chunks) >= 5
    assert all(len(c.text) <= 400 for c in chunks)
    # Every element is in some chunk, in order, and each later chunk starts with the previous one's tail.
    covered = [eid for c in chunks for eid in c.element_ids]
    assert sorted(set(covered), key=lambda e: int(e[1:])) == [f"e{i}" for i in range(31)]
    for before, after in itertools.pairwise(chunks):
        first_line = after.text.split("\n")[0]
        assert before.text.endswith(first_line)
        assert after.page is not None and before.page is not None and after.page >= before.page
    assert all(c.section == "Results" for c in chunks)


def test_tables_stay_whole_and_start_their_own_chunk() -> None:
    table = "Control | Result\n" + "\n".join(f"CC{i % 9 + 1}.1 | No exceptions noted" for i in range(20))
    parsed = _doc(
        ("Title", "Matrix", 1),
        ("NarrativeText", "Intro " * 100, 1),
        ("Table", table, 2),
        ("NarrativeText", "After the table.", 3),
    )
    chunks = _chunks(parsed, max_chars=1000, overlap=100)
    table_chunk = next(c for c in chunks if "e2" in c.element_ids)
    assert table_chunk.text.startswith("Control | Result")  # no overlap glued in front of it
    assert table in table_chunk.text
    assert table_chunk.page == 2
    assert table_chunk.control_refs == [f"CC{i}.1" for i in range(1, 10)]


def test_an_element_longer_than_a_chunk_is_split_at_boundaries() -> None:
    long_text = " ".join(f"Step {i} of the procedure was performed." for i in range(100))
    chunks = _chunks(_doc(("NarrativeText", long_text, 4)), max_chars=300, overlap=40)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 and c.element_ids == ["e0"] and c.page == 4 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks[:-1])  # cut after a sentence, not mid-word
    assert [c.id for c in chunks] == [f"doc1:{i:04d}" for i in range(len(chunks))]


def test_chunking_is_deterministic_and_empty_documents_give_no_chunks() -> None:
    parsed = _doc(("Title", "A", 1), ("NarrativeText", "Body text.", 1))
    assert _chunks(parsed) == _chunks(parsed)
    assert _chunks(_doc()) == []


def test_split_text_keeps_everything() -> None:
    text = "alpha beta gamma delta. " * 50
    pieces = split_text(text, max_chars=100, overlap=0)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CC6.1", "CC6.1"),
        ("cc 6.01", "CC6.1"),
        ("CC-7.2", "CC7.2"),
        ("PP1.3", "PI1.3"),
        ("PP 1.2", "PI1.2"),
        ("PI1.5", "PI1.5"),
        ("A1.2", "A1.2"),
        ("C1.1", "C1.1"),
        ("P4.2", "P4.2"),
        ("CC6.1.3", "CC6.1"),
        ("CC10.1", None),  # there is no CC10
        ("P9.1", None),
        ("A2.1", None),
        ("X1.1", None),
        ("a 1.2", None),  # lower-case single letters in prose are not criteria
    ],
)
def test_normalize_control_ref(raw: str, expected: str | None) -> None:
    assert normalize_control_ref(raw) == expected


def test_find_control_refs_in_running_text() -> None:
    text = (
        "Controls CC6.1 and CC 6.2 (see also PP1.3, A1.2; C1.1/P4.2) were tested; CC6.10 is listed "
        "separately. Version v1.2 and ABCC6.1 are not references. CC6.1 again."
    )
    assert find_control_refs(text) == ["CC6.1", "CC6.2", "PI1.3", "A1.2", "C1.1", "P4.2", "CC6.10"]
    (match,) = iter_control_refs("Control CC6.1.3 failed")
    assert (match.ref, match.raw, match.sub, match.start) == ("CC6.1", "CC6.1.3", 3, 8)


def _doc_of(*elements: Element) -> ParsedDocument:
    return ParsedDocument(
        filename="report.docx",
        content_hash="0" * 64,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        kind=DocumentKind.REPORT,
        pages=5,
        elements=list(elements),
    )


def _table_element(rows: list[list[str]], *, id: str = "t1", page: int = 4) -> Element:
    html = (
        "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    )
    return Element(
        id=id, category="Table", text=" ".join(c for r in rows for c in r), page=page, table_html=html
    )


def test_a_table_too_long_for_one_chunk_is_split_between_rows_under_its_header() -> None:
    header = ["Control No.", "Tests Performed", "Results"]
    body = [
        [
            f"CC{i % 9 + 1}.{i % 4 + 1}",
            f"Inspected evidence for sampled item number {i}.",
            "No exceptions noted.",
        ]
        for i in range(40)
    ]
    parsed = _doc_of(
        Element(id="h", category="Title", text="Section IV: Control Matrix", page=4),
        _table_element([header, *body]),
    )
    chunks = _chunks(parsed, max_chars=600, overlap=100)
    assert len(chunks) > 3
    heading = "Section IV: Control Matrix"
    assert chunks[0].text.startswith(heading + "\n")
    for chunk in chunks:
        text = chunk.text.removeprefix(heading + "\n")
        assert len(text) <= 600
        assert text.startswith("Control No. Tests Performed Results\n")  # every piece says what columns mean
        assert chunk.element_ids[-1] == "t1" and chunk.page == 4 and chunk.section == heading
    lines = [line for c in chunks for line in c.text.splitlines()[1:] if line != heading]
    rows = [line for line in lines if not line.startswith("Control No.")]
    assert rows == [" ".join(r) for r in body]  # each row whole, once, in order
    assert {ref for c in chunks for ref in c.control_refs} == {r[0] for r in body}


def test_a_long_table_without_cell_structure_is_split_like_text() -> None:
    table = Element(id="t2", category="Table", text="Row with some words. " * 80, page=1)
    parsed = _doc_of(table)
    chunks = _chunks(parsed, max_chars=500, overlap=50)
    assert len(chunks) >= 3 and all(len(c.text) <= 500 for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == table.text.replace(" ", "")


def test_a_matrix_read_as_running_text_is_cut_between_rows_without_overlap() -> None:
    elements: list[tuple[str, str, int | None]] = [("Title", "Section IV: Tests of Controls", 1)]
    for i in range(12):
        elements += [
            ("UncategorizedText", f"CC{i % 9 + 1}.{i // 9 + 1}", 1 + i // 4),
            (
                "NarrativeText",
                f"Control activity number {i} is performed by the owner every quarter.",
                1 + i // 4,
            ),
            (
                "NarrativeText",
                f"Inspected the evidence of activity {i} for a sample of quarters.",
                1 + i // 4,
            ),
            (
                "NarrativeText",
                "No exceptions noted." if i != 7 else "Exception noted. 1 of 4 missed.",
                1 + i // 4,
            ),
        ]
    chunks = _chunks(_doc(*elements), max_chars=600, overlap=100)
    assert len(chunks) >= 3
    body = [line for c in chunks for line in c.text.splitlines() if not line.startswith("Section IV")]
    # Every line appears exactly once (no overlap), and every chunk but the first opens with a row.
    assert body == [text for _, text, _ in elements[1:]]
    for chunk in chunks[1:]:
        assert find_control_refs(chunk.text.splitlines()[0])
        assert chunk.section == "Section IV: Tests of Controls"
    assert all(len(c.text) <= 600 for c in chunks)


def test_long_table_pieces_repeat_a_title_row_and_a_two_row_header() -> None:
    top = [
        ["Logical Access", "", ""],
        ["Control", "Tests Performed", "Results"],
        ["No.", "by the Auditor", "of Tests"],
    ]
    body = [
        [f"CC6.{i % 8 + 1}", f"Inspected access record number {i} of the period.", "No exceptions noted."]
        for i in range(30)
    ]
    chunks = _chunks(_doc_of(_table_element([*top, *body])), max_chars=500, overlap=50)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith(
            "Logical Access\nControl Tests Performed Results\nNo. by the Auditor of Tests\n"
        )
    data = [line for c in chunks for line in c.text.splitlines()[3:]]
    assert data == [" ".join(r) for r in body]
