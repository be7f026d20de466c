"""Type detection by content (never by name) and the checks that run before any parser sees a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.errors import IngestionError
from analyzer.settings import Settings
from ingestion import filetypes as ft
from ingestion.limits import MAX_ZIP_ENTRIES
from tests.ingestion import files


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _error(path: Path, settings: Settings) -> str:
    with pytest.raises(IngestionError) as info:
        ft.detect_media_type(path, settings=settings)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return info.value.reason


def test_real_files_are_recognised_whatever_their_names(tmp_path: Path, settings: Settings) -> None:
    # Every file gets a misleading extension: detection must look at the bytes.
    made = {
        ft.PDF: files.make_pdf(tmp_path / "report.txt", pages=1),
        ft.DOCX: files.make_docx(tmp_path / "report.pdf"),
        ft.XLSX: files.make_xlsx(tmp_path / "findings.docx"),
        ft.HTML: files.write(tmp_path / "page.md", files.HTML_DOC),
        ft.MARKDOWN: files.write(tmp_path / "notes.html", files.MARKDOWN_DOC),
        ft.TEXT: files.write(tmp_path / "plain.csv", files.TEXT_DOC),
        ft.CSV: files.write(tmp_path / "list.txt", files.CSV_DOC),
        ft.JSON: files.write(tmp_path / "list.csv", '[{"control_ref": "CC6.1", "text": "late removal"}]'),
    }
    detected = {expected: ft.detect_media_type(path, settings=settings) for expected, path in made.items()}
    assert detected == {expected: expected for expected in made}


def test_semicolon_and_tab_delimited_tables_are_csv(tmp_path: Path, settings: Settings) -> None:
    semi = files.write(tmp_path / "a", "ref;title;status\nCC6.1;MFA;open\nCC7.2;Logging;closed\n")
    tabs = files.write(tmp_path / "b", "ref\ttitle\tstatus\nCC6.1\tMFA\topen\nCC7.2\tLogging\tclosed\n")
    assert ft.detect_media_type(semi, settings=settings) == ft.CSV
    assert ft.detect_media_type(tabs, settings=settings) == ft.CSV


def test_random_bytes_are_unsupported(tmp_path: Path, settings: Settings) -> None:
    path = files.write(tmp_path / "report.pdf", os.urandom(4096) + b"\x00")
    assert _error(path, settings) == "unsupported file type (binary data)"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "legacy Office or password-protected Office file",
        ),
        (b"\x7fELF" + b"\x00" * 64, "executable"),
    ],
)
def test_known_binary_formats_are_named(tmp_path: Path, settings: Settings, data: bytes, what: str) -> None:
    path = files.write(tmp_path / "upload.docx", data)
    assert _error(path, settings) == f"unsupported file type ({what})"


def test_empty_and_blank_files_are_refused(tmp_path: Path, settings: Settings) -> None:
    assert _error(files.write(tmp_path / "empty.pdf", b""), settings) == "empty file"
    assert (
        _error(files.write(tmp_path / "blank.txt", "  \n\n\t"), settings)
        == "file has no text (only whitespace)"
    )


def test_size_cap(tmp_path: Path) -> None:
    small_cap = Settings(data_dir=tmp_path, max_upload_bytes=1000)
    path = files.write(tmp_path / "big.txt", "word " * 400)
    reason = _error(path, small_cap)
    assert reason == "file is 2,000 bytes, over the limit of 1,000 bytes (max_upload_bytes)"
    # Exactly at the cap is fine.
    at_cap = files.write(tmp_path / "ok.txt", "w" * 999 + "\n")
    assert ft.detect_media_type(at_cap, settings=small_cap) == ft.TEXT


def test_zip_bomb_by_ratio(tmp_path: Path, settings: Settings) -> None:
    # 20 MiB of zeros compresses to ~20 KiB: a ratio near 1000x, far beyond the limit of 100x.
    bomb = files.make_zip(
        tmp_path / "bomb.docx",
        {"word/document.xml": b"\x00" * (20 * 1024 * 1024)},
        content_types=files.content_types(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
        ),
    )
    reason = _error(bomb, settings)
    assert "refusing a possible zip bomb" in reason
    assert "expands" in reason


def test_zip_bomb_by_total_size(tmp_path: Path) -> None:
    tight = Settings(data_dir=tmp_path, zip_max_uncompressed_bytes=1024 * 1024, zip_max_ratio=1e9)
    big = files.make_zip(
        tmp_path / "big.xlsx",
        {"xl/workbook.xml": os.urandom(2 * 1024 * 1024)},
        content_types=files.content_types("application/vnd.ms-excel.sheet.main+xml"),
    )
    reason = _error(big, tight)
    assert reason.startswith("archive expands to 2.0 MiB, over the limit of 1.0 MiB")


def test_zip_with_too_many_entries(tmp_path: Path, settings: Settings) -> None:
    many = files.make_zip(
        tmp_path / "many.docx", {f"word/media/{i}.xml": b"x" for i in range(MAX_ZIP_ENTRIES + 1)}
    )
    assert _error(many, settings).startswith(f"archive has {MAX_ZIP_ENTRIES + 1} entries")


def test_macro_enabled_documents_are_refused(tmp_path: Path, settings: Settings) -> None:
    docm = files.make_zip(
        tmp_path / "report.docx",
        {"word/document.xml": b"<w:document/>"},
        content_types=files.content_types("application/vnd.ms-word.document.macroEnabled.main+xml"),
    )
    assert _error(docm, settings) == "macro-enabled Office files are not accepted (.docm/.xlsm)"
    # A real DOCX with a VBA project smuggled in is refused too.
    real = files.make_docx(tmp_path / "real.docx")
    import zipfile

    with zipfile.ZipFile(real, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\x00VBA")
    assert _error(real, settings) == "macro-enabled Office files are not accepted (vbaProject.bin)"


def test_plain_zip_and_presentations_are_unsupported(tmp_path: Path, settings: Settings) -> None:
    plain = files.make_zip(tmp_path / "a.docx", {"readme.txt": b"hello"})
    assert _error(plain, settings) == "unsupported file type (zip archive)"
    pptx = files.make_zip(
        tmp_path / "b.docx",
        {"ppt/presentation.xml": b"<p/>"},
        content_types=files.content_types(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
        ),
    )
    assert _error(pptx, settings) == "unsupported file type (PowerPoint presentation)"


def test_truncated_zip_is_corrupt(tmp_path: Path, settings: Settings) -> None:
    real = files.make_docx(tmp_path / "real.docx")
    cut = files.write(tmp_path / "cut.docx", real.read_bytes()[:2000])
    assert _error(cut, settings).startswith("corrupt zip/Office file")


def test_missing_file(tmp_path: Path, settings: Settings) -> None:
    assert _error(tmp_path / "nope.pdf", settings) == "not a file"
