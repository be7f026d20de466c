"""What a batch run reads: a folder of audits or a manifest CSV, turned into audits and documents.

Every problem with one input (a missing file, a bad date, an audit folder with no report) becomes an
error item naming that input; the rest of the source is still used.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analyzer.errors import AuditlensError
from analyzer.models import DocumentKind

# Sub-folders of an audit folder whose files are not reports.
_KIND_FOLDERS = {
    "evidence": DocumentKind.EVIDENCE,
    "evidences": DocumentKind.EVIDENCE,
    "policy": DocumentKind.POLICY,
    "policies": DocumentKind.POLICY,
}
_MANIFEST_COLUMNS = ("path", "audit", "period_start", "period_end", "auditee")


class SourceError(AuditlensError):
    """The source as a whole cannot be read (not a folder or CSV, no header, nothing in it)."""


@dataclass(frozen=True)
class AuditSpec:
    """One audit (engagement / report period) of the run."""

    name: str
    period_start: date | None = None
    period_end: date | None = None
    auditee: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """JSON form stored in the run's params."""
        return {
            "name": self.name,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "auditee": self.auditee,
        }

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> AuditSpec:
        """Inverse of to_json."""
        start, end = data.get("period_start"), data.get("period_end")
        return cls(
            name=str(data["name"]),
            period_start=date.fromisoformat(start) if start else None,
            period_end=date.fromisoformat(end) if end else None,
            auditee=data.get("auditee"),
        )


@dataclass(frozen=True)
class DocumentSpec:
    """One file to ingest into one audit."""

    path: Path
    audit: str
    kind: DocumentKind = DocumentKind.REPORT

    @property
    def key(self) -> str:
        """Stable item key: the same file in the same audit is one item (re-listing adds nothing)."""
        return "doc:" + _digest(f"{self.audit}\x00{self.path.resolve()}")


@dataclass(frozen=True)
class SourceProblem:
    """An input that cannot be used, with the reason, reported as a failed item."""

    label: str
    reason: str

    @property
    def key(self) -> str:
        """Stable item key of the problem."""
        return "doc:" + _digest(f"problem\x00{self.label}")

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"


@dataclass
class BatchSource:
    """The audits and documents of a run, plus the inputs that could not be used."""

    origin: str
    audits: dict[str, AuditSpec] = field(default_factory=dict)
    documents: list[DocumentSpec] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


# --- periods from names -------------------------------------------------------------------------
_RANGE = re.compile(
    r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})\s*(?:_|--|\.\.|to|-)\s*(\d{4})-?(\d{2})-?(\d{2})(?!\d)"
)
_QUARTER = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_ ]?Q([1-4])(?![0-9])", re.IGNORECASE)
_HALF = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_ ]?H([12])(?![0-9])", re.IGNORECASE)
_YEAR = re.compile(r"(?<![0-9])(?:FY|CY)?[-_ ]?((?:19|20)\d{2})(?![0-9])", re.IGNORECASE)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def period_from_name(name: str) -> tuple[date, date] | None:
    """The audit period a file or folder name states (a date range, quarter, half or year), if any."""
    m = _RANGE.search(name)
    if m:
        try:
            start = date(int(m[1]), int(m[2]), int(m[3]))
            end = date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError:
            return None
        return (start, end) if start <= end else None
    m = _QUARTER.search(name)
    if m:
        year, q = int(m[1]), int(m[2])
        end_month, end_day = _QUARTER_END[q]
        return date(year, 3 * q - 2, 1), date(year, end_month, end_day)
    m = _HALF.search(name)
    if m:
        year, h = int(m[1]), int(m[2])
        return (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1), date(year, 12, 31))
    m = _YEAR.search(name)
    if m:
        year = int(m[1])
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _visible_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _kind_of(path: Path, audit_dir: Path) -> DocumentKind:
    for part in path.relative_to(audit_dir).parts[:-1]:
        kind = _KIND_FOLDERS.get(part.lower())
        if kind is not None:
            return kind
    return DocumentKind.REPORT


# --- folder -------------------------------------------------------------------------------------
def read_folder(folder: Path) -> BatchSource:
    """One sub-folder per audit (period from its name when stated), or files named with their period."""
    src = BatchSource(origin=str(folder))
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for entry in entries:
        if entry.is_dir():
            _add_audit_folder(src, entry)
        elif entry.is_file():
            _add_period_file(src, entry)
    if not src.documents and not src.problems:
        raise SourceError(f"{folder}: no audit folders and no files in it")
    return src


def _add_audit_folder(src: BatchSource, audit_dir: Path) -> None:
    period = period_from_name(audit_dir.name)
    spec = AuditSpec(
        name=audit_dir.name,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
    )
    files = _visible_files(audit_dir)
    docs = [DocumentSpec(path=p, audit=spec.name, kind=_kind_of(p, audit_dir)) for p in files]
    if not any(d.kind == DocumentKind.REPORT for d in docs):
        what = "is empty" if not files else "has no report (only evidence/policy files)"
        src.problems.append(SourceProblem(label=str(audit_dir), reason=f"audit folder {what}"))
        return
    src.audits[spec.name] = spec
    src.documents.extend(docs)


def _add_period_file(src: BatchSource, path: Path) -> None:
    period = period_from_name(path.stem)
    if period is None:
        src.problems.append(
            SourceProblem(
                label=str(path),
                reason="cannot tell the audit period from the file name "
                "(name it e.g. `acme-soc2-2023.pdf`, or put it in a folder per audit)",
            )
        )
        return
    spec = AuditSpec(name=path.stem, period_start=period[0], period_end=period[1])
    src.audits.setdefault(spec.name, spec)
    src.documents.append(DocumentSpec(path=path, audit=spec.name))


# --- manifest -----------------------------------------------------------------------------------
def _parse_date(value: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date (use YYYY-MM-DD)") from None


def read_manifest(manifest: Path) -> BatchSource:
    """A CSV with columns path, audit, period_start, period_end, auditee (and optionally kind)."""
    src = BatchSource(origin=str(manifest))
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{manifest}: cannot read the manifest ({exc.__class__.__name__})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("path", "audit") if c not in header]
    if missing:
        raise SourceError(
            f"{manifest}: manifest header lacks {', '.join(missing)} "
            f"(expected columns: {', '.join(_MANIFEST_COLUMNS)}[, kind])"
        )
    base = manifest.parent
    for line_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        label = f"{manifest.name} row {line_no}"
        try:
            spec, doc = _manifest_row(row, base)
        except ValueError as exc:
            src.problems.append(SourceProblem(label=label, reason=str(exc)))
            continue
        known = src.audits.get(spec.name)
        if known is not None and known != spec:
            src.problems.append(
                SourceProblem(
                    label=label,
                    reason=f"audit {spec.name!r} has a different period or auditee on an earlier row",
                )
            )
            continue
        src.audits[spec.name] = spec
        src.documents.append(doc)
    if not src.documents and not src.problems:
        raise SourceError(f"{manifest}: the manifest has no rows")
    return src


def _manifest_row(row: dict[str, str], base: Path) -> tuple[AuditSpec, DocumentSpec]:
    if not row.get("path"):
        raise ValueError("path is empty")
    if not row.get("audit"):
        raise ValueError("audit is empty")
    path = Path(row["path"])
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise ValueError(f"{row['path']} does not exist")
    if not path.is_file():
        raise ValueError(f"{row['path']} is not a file")
    start = _parse_date(row.get("period_start", ""), "period_start")
    end = _parse_date(row.get("period_end", ""), "period_end")
    if start and end and start > end:
        raise ValueError(f"period_start {start} is after period_end {end}")
    kind_text = (row.get("kind") or "report").lower()
    try:
        kind = DocumentKind(kind_text)
    except ValueError:
        raise ValueError(f"kind {kind_text!r} is not one of report, evidence, policy") from None
    spec = AuditSpec(
        name=row["audit"], period_start=start, period_end=end, auditee=row.get("auditee") or None
    )
    return spec, DocumentSpec(path=path, audit=spec.name, kind=kind)


def read_source(source: Path) -> BatchSource:
    """A folder or a manifest CSV, decided by what the path is."""
    if source.is_dir():
        return read_folder(source)
    if source.is_file():
        if source.suffix.lower() != ".csv":
            raise SourceError(f"{source}: a batch source is a folder or a manifest .csv file")
        return read_manifest(source)
    raise SourceError(f"{source}: no such folder or manifest")
