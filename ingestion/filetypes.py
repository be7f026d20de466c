"""Decide what a file is from its bytes (never its name), and refuse what we do not parse."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

from analyzer.errors import IngestionError
from analyzer.settings import Settings
from ingestion.limits import check_size, check_zip_archive

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
CSV = "text/csv"
JSON = "application/json"

SUPPORTED = (PDF, DOCX, XLSX, HTML, MARKDOWN, TEXT, CSV, JSON)
# Formats whose elements carry page numbers (XLSX: one "page" per sheet).
PAGED = (PDF, DOCX, XLSX)

_SNIFF_BYTES = 64 * 1024
_CONTENT_TYPES_MAX = 1024 * 1024

_MAGIC_BINARY = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "legacy Office or password-protected Office file",
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"\x1f\x8b": "gzip archive",
    b"7z\xbc\xaf\x27\x1c": "7z archive",
    b"Rar!": "RAR archive",
    b"\x7fELF": "executable",
    b"MZ": "executable",
    b"{\\rtf": "RTF document",
}

_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_HTML_TAG = re.compile(
    rb"<(html|head|body|div|p|table|h[1-6]|ul|ol|section|article|span)[\s>]", re.IGNORECASE
)
_MD_MARKERS = (
    re.compile(r"^#{1,6}\s+\S", re.MULTILINE),  # ATX heading
    re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE),  # table rule
    re.compile(r"^```", re.MULTILINE),  # fenced code
    re.compile(r"^\S.*\n(=+|-+)\s*$", re.MULTILINE),  # setext heading
)


def _unsupported(path: Path, what: str) -> IngestionError:
    return IngestionError(str(path), f"unsupported file type ({what})")


def _decode_text(head: bytes) -> str | None:
    """The sample as text when it looks like text in a common encoding, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a multi-byte character.
        if exc.start < len(head) - 4:
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return None
        else:
            text = head[: exc.start].decode("utf-8-sig")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if text and controls / len(text) > 0.01:
        return None
    return text


def _looks_delimited(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()][:50]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return False
    rows = list(csv.reader(lines, dialect))
    width = len(rows[0])
    if width < 2:
        return False
    # Prose with commas rarely keeps the same field count line after line; a table does.
    consistent = sum(1 for row in rows if len(row) == width)
    return consistent / len(rows) >= 0.8


def _classify_text(path: Path, head: bytes, text: str, size: int) -> str:
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        if size <= _SNIFF_BYTES:
            try:
                json.loads(text)
                return JSON
            except ValueError:
                pass
        else:
            try:
                json.loads(path.read_bytes())
                return JSON
            except ValueError:
                pass
    if _HTML_START.search(head) or len(_HTML_TAG.findall(head)) >= 2:
        return HTML
    if any(marker.search(text) for marker in _MD_MARKERS):
        return MARKDOWN
    if _looks_delimited(text):
        return CSV
    return TEXT


def _classify_zip(path: Path, *, settings: Settings) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            # Look at the declared sizes before reading a single member.
            check_zip_archive(path, archive, settings=settings)
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise _unsupported(path, "zip archive")
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise IngestionError(
                    str(path), "macro-enabled Office files are not accepted (vbaProject.bin)"
                )
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                raise IngestionError(str(path), "corrupt Office file ([Content_Types].xml is too large)")
            content_types = archive.read(info).decode("utf-8", errors="replace")
    except zipfile.BadZipFile as exc:
        raise IngestionError(str(path), f"corrupt zip/Office file ({exc})") from exc
    if "macroenabled" in content_types.lower():
        raise IngestionError(str(path), "macro-enabled Office files are not accepted (.docm/.xlsm)")
    if "wordprocessingml.document.main+xml" in content_types and "word/document.xml" in names:
        return DOCX
    if "spreadsheetml.sheet.main+xml" in content_types and "xl/workbook.xml" in names:
        return XLSX
    if "presentationml" in content_types:
        raise _unsupported(path, "PowerPoint presentation")
    if "wordprocessingml.template" in content_types or "spreadsheetml.template" in content_types:
        raise _unsupported(path, "Office template")
    raise _unsupported(path, "Office/zip package that is neither DOCX nor XLSX")


def detect_media_type(path: str | Path, *, settings: Settings | None = None) -> str:
    """Media type of a supported file, decided from its content; raises IngestionError otherwise.

    Also enforces the size cap, refuses empty files and checks DOCX/XLSX archives for zip bombs
    before anything reads their parts.
    """
    path = Path(path)
    # Defaults are the documented limits; callers pass the settings they were given.
    settings = settings if settings is not None else Settings.model_construct()
    if not path.is_file():
        raise IngestionError(str(path), "not a file")
    size = check_size(path, settings=settings)
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    # PDF allows junk before the header; readers look in the first KiB.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _classify_zip(path, settings=settings)
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise _unsupported(path, "empty or spanned zip archive")
    for magic, what in _MAGIC_BINARY.items():
        if head.startswith(magic):
            raise _unsupported(path, what)
    text = _decode_text(head)
    if text is None:
        raise _unsupported(path, "binary data")
    if not text.strip():
        raise IngestionError(str(path), "file has no text (only whitespace)")
    return _classify_text(path, head, text, size)
