"""Upload intake: stream a multipart body to disk under a size cap, then check the type by content.

The body is parsed incrementally (python-multipart), so an oversized file is refused with 413 as soon as
the cap is crossed, without reading the rest. The client's file name is kept as metadata only: the
stored file is named after its SHA-256, inside a per-organization directory the server chooses.
Office files are zip containers: they are opened only to read the directory, which is checked for
macros (415) and for decompression bombs (total size and ratio) before any parser sees them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from analyzer.settings import Settings
from api.errors import ApiError

_MAX_FIELD_BYTES = 4096  # text form fields (kind, ...) are tiny
_MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file part
_ZIP_MAX_ENTRIES = 10_000

PDF, DOCX, XLSX = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
CSV, JSON, MARKDOWN, TEXT = "text/csv", "application/json", "text/markdown", "text/plain"
EXTENSIONS = {
    PDF: ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    CSV: ".csv",
    JSON: ".json",
    MARKDOWN: ".md",
    TEXT: ".txt",
}


@dataclass
class ReceivedFile:
    """A fully received upload: stored path, content hash, size, detected type and the client's name."""

    path: Path
    sha256: str
    size: int
    media_type: str
    filename: str
    fields: dict[str, str] = field(default_factory=dict)


def safe_filename(raw: str | None) -> str:
    """The client's file name reduced to a harmless label (no directories, no control characters)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".") or "upload"
    return name[:200]


class _Receiver:
    """Callbacks of the incremental multipart parser: the `file` part goes to disk, fields to memory."""

    def __init__(self, tmp_dir: Path, cap: int) -> None:
        self.cap = cap
        self.tmp_dir = tmp_dir
        self.fields: dict[str, str] = {}
        self.file_path: Path | None = None
        self.filename: str | None = None
        self.size = 0
        self.digest = hashlib.sha256()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._buffer = bytearray()
        self._fh: Any = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field_cb,
            "on_header_value": self._header_value_cb,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self._name, self._is_file = None, False
        self._buffer = bytearray()

    def _header_field_cb(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_cb(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options and self._name == "file":
            if self._fh is not None:
                raise ApiError(422, "invalid_upload", "send exactly one `file` part")
            self._is_file = True
            self.filename = options[b"filename"].decode("utf-8", "replace")
            fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="incoming-", suffix=".part")
            self._fh = os.fdopen(fd, "wb")
            self.file_path = Path(name)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.size += len(chunk)
            if self.size > self.cap:
                raise ApiError(
                    413, "payload_too_large", f"file is larger than the {self.cap} byte upload limit"
                )
            self.digest.update(chunk)
            self._fh.write(chunk)
        else:
            self._buffer += chunk
            if len(self._buffer) > _MAX_FIELD_BYTES:
                raise ApiError(413, "payload_too_large", f"form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if self._is_file:
            self._fh.close()
        elif self._name:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace").strip()

    def discard(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()
        if self.file_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.file_path.unlink()


async def receive_upload(request: Request, settings: Settings, *, org_id: str) -> ReceivedFile:
    """Stream the request's `file` part to disk and check it; ApiError (413/415/422) on bad input."""
    cap = settings.max_upload_bytes
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise ApiError(415, "unsupported_media_type", "send the file as multipart/form-data (field `file`)")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap + _MULTIPART_SLACK:
        raise ApiError(413, "payload_too_large", f"upload of {declared} bytes exceeds the {cap} byte limit")
    tmp_dir = settings.uploads_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    receiver = _Receiver(tmp_dir, cap)
    parser = MultipartParser(params[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if receiver.file_path is None:
            raise ApiError(422, "invalid_upload", "the multipart body has no `file` part with a file name")
        if receiver.size == 0:
            raise ApiError(422, "invalid_upload", "the uploaded file is empty")
        media_type = detect_media_type(receiver.file_path, settings)
        sha = receiver.digest.hexdigest()
        final_dir = settings.uploads_dir / hashlib.sha256(org_id.encode()).hexdigest()[:16]
        final_dir.mkdir(parents=True, exist_ok=True)
        final = final_dir / f"{sha}{EXTENSIONS[media_type]}"
        os.replace(receiver.file_path, final)  # atomic: the stored file is complete or absent
    except ApiError:
        receiver.discard()
        raise
    except Exception:
        receiver.discard()
        raise ApiError(422, "invalid_upload", "the multipart body is malformed") from None
    return ReceivedFile(
        path=final,
        sha256=sha,
        size=receiver.size,
        media_type=media_type,
        filename=safe_filename(receiver.filename),
        fields=receiver.fields,
    )


# --- type by content ---------------------------------------------------------------------------------

_MACRO_MARKERS = ("vbaproject.bin", "macroenabled", "vbadata.xml")


def _unsupported(reason: str) -> ApiError:
    return ApiError(415, "unsupported_media_type", reason)


def _office_type(path: Path, settings: Settings) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > _ZIP_MAX_ENTRIES:
                raise _unsupported(f"archive has {len(infos)} entries; refusing a likely zip bomb")
            names = {info.filename.lower() for info in infos}
            total = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos) or 1
            if total > settings.zip_max_uncompressed_bytes:
                raise _unsupported(f"archive expands to {total} bytes, over the zip size limit")
            if total / packed > settings.zip_max_ratio:
                raise _unsupported(f"archive compression ratio {total / packed:.0f}:1 looks like a zip bomb")
            if "[content_types].xml" not in names:
                raise _unsupported("zip file that is not an Office document")
            content_types = archive.read("[Content_Types].xml")[:1_000_000].decode("utf-8", "replace").lower()
    except zipfile.BadZipFile:
        raise _unsupported("damaged zip / Office file") from None
    if any(marker in name for name in names for marker in _MACRO_MARKERS) or "macroenabled" in content_types:
        raise _unsupported("macro-enabled Office files are not accepted; save it as .docx/.xlsx")
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    raise _unsupported("Office file of a kind auditlens does not read (only DOCX and XLSX)")


def _text_type(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
            raise _unsupported("binary file of an unsupported type") from None
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        raise _unsupported("binary file of an unsupported type")
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith(("{", "[")):
        return JSON
    first = stripped.splitlines()[0] if stripped else ""
    if first.startswith("#") or re.search(r"^#{1,6} ", stripped, re.M):
        return MARKDOWN
    if first.count(",") >= 1 and len(stripped.splitlines()) > 1:
        return CSV
    return TEXT


def detect_media_type(path: Path, settings: Settings) -> str:
    """Media type from the file's bytes (never its name); ApiError 415 for anything unsupported."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path, settings)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unsupported("legacy binary Office files (.doc/.xls, may carry macros) are not accepted")
    return _text_type(head)
