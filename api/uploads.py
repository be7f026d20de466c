"""Upload intake: stream a multipart body to disk under a size cap, then check the type by content.

The body is parsed incrementally (python-multipart), so an oversized file is refused with 413 as soon as
the cap is crossed, without reading the rest. The client's file name is kept as metadata only: the
stored file is named after its SHA-256, inside a per-organization directory the server chooses.
The type is decided from the bytes by ingestion's detector, which also refuses macro-enabled Office
files and zip bombs (declared sizes and ratios checked before any member is read): all answer 415.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from analyzer.errors import IngestionError
from analyzer.settings import Settings
from api.errors import ApiError
from ingestion.filetypes import detect_media_type

_MAX_FIELD_BYTES = 4096  # text form fields (kind, ...) are tiny
_MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file part

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
        media_type = _detect(receiver.file_path, settings)
        sha = receiver.digest.hexdigest()
        final_dir = settings.uploads_dir / hashlib.sha256(org_id.encode()).hexdigest()[:16]
        final_dir.mkdir(parents=True, exist_ok=True)
        final = final_dir / f"{sha}{EXTENSIONS[media_type]}"
        os.replace(receiver.file_path, final)  # atomic: the stored file is complete or absent
    except FormParserError:
        receiver.discard()
        raise ApiError(422, "invalid_upload", "the multipart body is malformed") from None
    except BaseException:
        # ApiError (413/415/422), a client that went away, or a server fault: nothing half-stored.
        receiver.discard()
        raise
    return ReceivedFile(
        path=final,
        sha256=sha,
        size=receiver.size,
        media_type=media_type,
        filename=safe_filename(receiver.filename),
        fields=receiver.fields,
    )


def _detect(path: Path, settings: Settings) -> str:
    """Type by content via ingestion's detector; its refusals (incl. macros, zip bombs) become 415."""
    try:
        media_type = detect_media_type(path, settings=settings)
    except IngestionError as exc:
        # The reason only: the exception's path is the server's temp file, not something to show.
        raise ApiError(415, "unsupported_media_type", exc.reason) from None
    if media_type not in EXTENSIONS:
        raise ApiError(415, "unsupported_media_type", f"files of type {media_type} are not accepted")
    return media_type
