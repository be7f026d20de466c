"""Cheap checks that run before any parser touches a file: size cap and zip-bomb limits for DOCX/XLSX."""

from __future__ import annotations

import zipfile
from pathlib import Path

from analyzer.errors import IngestionError
from analyzer.settings import Settings

# A real DOCX/XLSX has tens to a few thousand parts; far more is a sign of an archive built to exhaust us.
MAX_ZIP_ENTRIES = 10_000
# Ratio is only judged on entries large enough to matter; tiny XML parts compress extremely well.
_RATIO_MIN_ENTRY_BYTES = 1024 * 1024


def _mib(n: float) -> str:
    if n < 1024 * 1024:
        return f"{int(n):,} bytes"
    return f"{n / (1024 * 1024):.1f} MiB"


def check_size(path: Path, *, settings: Settings) -> int:
    """Size of the file in bytes; raises when it is empty or over the upload cap."""
    size = path.stat().st_size
    if size == 0:
        raise IngestionError(str(path), "empty file")
    if size > settings.max_upload_bytes:
        raise IngestionError(
            str(path),
            f"file is {_mib(size)}, over the limit of {_mib(settings.max_upload_bytes)} (max_upload_bytes)",
        )
    return size


def check_zip_archive(path: Path, archive: zipfile.ZipFile, *, settings: Settings) -> None:
    """Reject archives whose declared contents are too many, too big or too compressed to be a document."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise IngestionError(
            str(path),
            f"archive has {len(infos)} entries (limit {MAX_ZIP_ENTRIES}); refusing a possible zip bomb",
        )
    total = sum(info.file_size for info in infos)
    if total > settings.zip_max_uncompressed_bytes:
        raise IngestionError(
            str(path),
            f"archive expands to {_mib(total)}, over the limit of "
            f"{_mib(settings.zip_max_uncompressed_bytes)}; refusing a possible zip bomb",
        )
    archive_size = max(path.stat().st_size, 1)
    if total / archive_size > settings.zip_max_ratio:
        raise IngestionError(
            str(path),
            f"archive expands {total / archive_size:.0f}x (limit {settings.zip_max_ratio:.0f}x); "
            "refusing a possible zip bomb",
        )
    for info in infos:
        # One huge, extremely compressible part hidden among incompressible ones (e.g. images).
        if info.file_size >= _RATIO_MIN_ENTRY_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > settings.zip_max_ratio:
                raise IngestionError(
                    str(path),
                    f"archive part {info.filename!r} expands {ratio:.0f}x (limit "
                    f"{settings.zip_max_ratio:.0f}x); refusing a possible zip bomb",
                )
