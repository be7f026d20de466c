"""Batch sources: periods from names, audit folders, period-named files and manifests, per-item problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analyzer.models import DocumentKind
from api.batch.sources import SourceError, period_from_name, read_source


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("acme-soc2-2023", (date(2023, 1, 1), date(2023, 12, 31))),
        ("FY2022 internal audit", (date(2022, 1, 1), date(2022, 12, 31))),
        ("acme-2024-Q2", (date(2024, 4, 1), date(2024, 6, 30))),
        ("acme_2021H2", (date(2021, 7, 1), date(2021, 12, 31))),
        ("soc2_2023-04-01_2024-03-31", (date(2023, 4, 1), date(2024, 3, 31))),
        ("report-final", None),
        ("soc2_2024-03-31_2023-04-01", None),  # reversed range is not a period
    ],
)
def test_period_from_name(name: str, expected: tuple[date, date] | None) -> None:
    assert period_from_name(name) == expected


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_with_audit_subfolders_and_period_files(tmp_path: Path) -> None:
    _touch(tmp_path / "acme-2022" / "report.md")
    _touch(tmp_path / "acme-2022" / "evidence" / "tickets.csv")
    _touch(tmp_path / "acme-2023" / "report.pdf")
    _touch(tmp_path / "acme-2023" / ".hidden")
    _touch(tmp_path / "only-evidence-2021" / "evidence" / "a.txt")
    _touch(tmp_path / "empty-2020" / ".keep")
    _touch(tmp_path / "acme-soc2-2024.docx")
    _touch(tmp_path / "notes.txt")

    src = read_source(tmp_path)

    assert sorted(src.audits) == ["acme-2022", "acme-2023", "acme-soc2-2024"]
    assert src.audits["acme-2023"].period_start == date(2023, 1, 1)
    kinds = {(d.audit, d.path.name): d.kind for d in src.documents}
    assert kinds == {
        ("acme-2022", "report.md"): DocumentKind.REPORT,
        ("acme-2022", "tickets.csv"): DocumentKind.EVIDENCE,
        ("acme-2023", "report.pdf"): DocumentKind.REPORT,
        ("acme-soc2-2024", "acme-soc2-2024.docx"): DocumentKind.REPORT,
    }
    problems = {Path(p.label).name: p.reason for p in src.problems}
    assert set(problems) == {"only-evidence-2021", "empty-2020", "notes.txt"}
    assert "no report" in problems["only-evidence-2021"]
    assert "is empty" in problems["empty-2020"]
    assert "period" in problems["notes.txt"]
    # Keys are stable: listing the same folder again gives the same item keys.
    assert [d.key for d in read_source(tmp_path).documents] == [d.key for d in src.documents]


def test_manifest_rows_with_errors_are_reported_per_row(tmp_path: Path) -> None:
    _touch(tmp_path / "files" / "a.md")
    _touch(tmp_path / "files" / "b.md")
    _touch(tmp_path / "files" / "c.md")
    manifest = _touch(
        tmp_path / "manifest.csv",
        "path,audit,period_start,period_end,auditee\n"
        "files/a.md,SOC2 2022,2022-01-01,2022-12-31,Acme Corp\n"
        "files/b.md,SOC2 2023,2023-01-01,2023-12-31,Acme Corp\n"
        "files/missing.md,SOC2 2023,2023-01-01,2023-12-31,Acme Corp\n"
        "files/c.md,SOC2 2024,2024-13-01,2024-12-31,Acme Corp\n"
        "files/c.md,SOC2 2022,2022-02-01,2022-12-31,Acme Corp\n"
        ",SOC2 2024,,,\n",
    )

    src = read_source(manifest)

    assert sorted(src.audits) == ["SOC2 2022", "SOC2 2023"]
    assert src.audits["SOC2 2022"].auditee == "Acme Corp"
    assert [d.path.name for d in src.documents] == ["a.md", "b.md"]
    reasons = [str(p) for p in src.problems]
    assert len(reasons) == 4
    assert "row 4" in reasons[0] and "does not exist" in reasons[0]
    assert "row 5" in reasons[1] and "not a date" in reasons[1]
    assert "row 6" in reasons[2] and "different period" in reasons[2]
    assert "row 7" in reasons[3] and "path is empty" in reasons[3]


def test_bad_sources_fail_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such folder"):
        read_source(tmp_path / "nope")
    other = _touch(tmp_path / "list.txt")
    with pytest.raises(SourceError, match="folder or a manifest"):
        read_source(other)
    bad = _touch(tmp_path / "m.csv", "file,name\nx,y\n")
    with pytest.raises(SourceError, match="lacks path, audit"):
        read_source(bad)
