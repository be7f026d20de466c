"""Structured finding lists (CSV, XLSX, JSON): column auto-detection, explicit mapping, per-row errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyzer.errors import IngestionError
from analyzer.models import Finding, FindingLayout, SampleFacts
from ingestion.extract._refs import normalise_ref
from ingestion.extract.document import NO_EXCEPTION
from ingestion.extract.ids import finding_id
from ingestion.extract.models import Reconciliation, UnmatchedMarker
from ingestion.extract.sample_facts import parse_sample

MAX_TEXT_CHARS = 50_000


class FindingInput(BaseModel):
    """One finding supplied as data (API body item, JSON/CSV/XLSX row); only `text` is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The exception / condition text.")
    title: str | None = Field(default=None, max_length=500, description="Short title of the finding.")
    control_ref: str | None = Field(
        default=None,
        max_length=100,
        description="Control or criterion reference, e.g. CC6.1 (PP1.x → PI1.x).",
    )
    control_description: str | None = Field(default=None, description="The control as described.")
    test_performed: str | None = Field(default=None, description="The auditor's test of the control.")
    sample: str | None = Field(default=None, max_length=500, description='Sample phrase, e.g. "2 of 25".')
    context: str | None = Field(default=None, description="Background / context text.")
    criteria: str | None = Field(default=None, description="Criteria / requirement text.")
    cause: str | None = Field(default=None, description="Cause as stated by the auditor.")
    effect: str | None = Field(default=None, description="Effect / risk text.")
    recommendation: str | None = Field(default=None, description="Auditor's recommendation.")
    management_response: str | None = Field(
        default=None, description="Management's response or corrective action plan."
    )
    section: str | None = Field(default=None, max_length=500, description="Section heading or area.")
    page: int | None = Field(default=None, ge=1, description="Page in the source report, when known.")
    external_id: str | None = Field(
        default=None, max_length=200, description="The finding's own number in its source (e.g. 2024-001)."
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


FIELDS = tuple(FindingInput.model_fields)

# Header synonyms (compared after lower-casing and reducing punctuation to spaces).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "condition", "finding", "finding text", "finding description", "exception",
        "exception description", "exception noted", "exceptions noted", "deviation", "observation",
        "issue", "issue description", "description", "condition text", "result", "test result",
        "results of tests",
    ),
    "title": ("title", "finding title", "name", "summary", "subject", "heading", "short title"),
    "control_ref": (
        "control ref", "control", "control reference", "control id", "control no", "control number",
        "criteria ref", "criteria reference", "criterion", "tsc", "tsc ref", "trust services criteria",
        "requirement ref", "ref",
    ),
    "control_description": ("control description", "control activity", "control activities"),
    "test_performed": ("test performed", "tests performed", "test procedure", "testing performed"),
    "sample": ("sample", "samples", "sample facts", "sample result", "sample size"),
    "context": ("context", "background"),
    "criteria": ("criteria", "requirement", "standard", "criteria text"),
    "cause": ("cause", "root cause"),
    "effect": ("effect", "risk", "impact", "potential effect", "effect or potential effect"),
    "recommendation": ("recommendation", "recommendations", "auditor recommendation"),
    "management_response": (
        "management response", "management s response", "managements response", "response",
        "corrective action plan", "cap", "action plan", "remediation plan", "management action plan",
        "views of responsible officials", "auditee response",
    ),
    "section": ("section", "area", "process", "domain"),
    "page": ("page", "page no", "page number"),
    "external_id": (
        "finding id", "finding no", "finding number", "finding ref", "id", "number", "no",
        "reference number", "ref no",
    ),
}  # fmt: skip


class RowError(BaseModel):
    """A row that could not be imported, and why."""

    row: int = Field(description="Row number in the file (header = row 1) or 1-based item index for JSON.")
    reason: str = Field(description="One-line reason.")


class ImportResult(BaseModel):
    """What a structured import produced (or, on a dry run, would produce)."""

    source: str = Field(description="File name the rows came from.")
    dry_run: bool = Field(description="True when nothing is to be stored.")
    columns: dict[str, str] = Field(
        default_factory=dict, description="Source column → finding field, as detected or mapped."
    )
    rows_read: int = Field(ge=0, description="Data rows (or JSON items) read.")
    passed_rows: int = Field(
        default=0,
        ge=0,
        description='Rows whose result says no exception ("No exceptions noted"): not findings.',
    )
    findings: list[Finding] = Field(default_factory=list, description="Findings from the good rows.")
    errors: list[RowError] = Field(default_factory=list, description="Rows that could not be imported.")
    reconciliation: Reconciliation = Field(description="Rows read versus findings imported.")


class NotAFindingsList(IngestionError):
    """The file is a table or JSON document, but not a list of findings (no column holds finding text)."""


def _norm_header(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def detect_columns(headers: list[str]) -> dict[str, str]:
    """Source column → field for every header matching a known synonym (first match wins per field)."""
    columns: dict[str, str] = {}
    taken: set[str] = set()
    lookup = {synonym: name for name, synonyms in SYNONYMS.items() for synonym in synonyms}
    for header in headers:
        name = lookup.get(_norm_header(header))
        if name is not None and name not in taken:
            columns[header] = name
            taken.add(name)
    return columns


def _apply_mapping(
    path: str, headers: list[str], detected: dict[str, str], mapping: dict[str, str]
) -> dict[str, str]:
    """Explicit mapping (source column → field) overrides detection for the columns and fields it names."""
    by_norm = {_norm_header(h): h for h in headers}
    columns = dict(detected)
    for source, target in mapping.items():
        if target not in FIELDS:
            raise IngestionError(
                path, f"mapping target {target!r} is not a finding field ({', '.join(FIELDS)})"
            )
        header = source if source in headers else by_norm.get(_norm_header(source))
        if header is None:
            raise IngestionError(
                path, f"mapped column {source!r} is not in the file (columns: {', '.join(headers)})"
            )
        columns = {h: f for h, f in columns.items() if f != target and h != header}
        columns[header] = target
    return columns


def _read_table(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Headers and (row number, row dict) of a CSV or the first sheet of an XLSX."""
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook  # only needed for spreadsheets

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise IngestionError(str(path), f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        sheet = workbook.worksheets[0]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        start = next((i for i, row in enumerate(values) if any(v not in (None, "") for v in row)), None)
        if start is None:
            return [], []
        headers = [str(v).strip() if v is not None else "" for v in values[start]]
        rows = [
            (start + offset + 2, {h: v for h, v in zip(headers, row, strict=False) if h})
            for offset, row in enumerate(values[start + 1 :])
            if any(v not in (None, "") for v in row)
        ]
        return headers, rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestionError(str(path), "CSV is not UTF-8 text") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise IngestionError(str(path), f"CSV could not be read: {exc}") from exc
    if not records:
        return [], []
    headers = [h.strip() for h in records[0]]
    rows = [
        (reader_line, {h: v for h, v in zip(headers, record, strict=False) if h})
        for reader_line, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    return headers, rows


def _row_to_input(row: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for header, name in columns.items():
        value = row.get(header)
        if value is None:
            continue
        if name == "page":
            values[name] = value
        else:
            values[name] = (
                str(value).strip()
                if not isinstance(value, float) or not value.is_integer()
                else str(int(value))
            )
    return values


def _reason(exc: ValidationError, column_of: dict[str, str]) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "item"
        if where in column_of and column_of[where] != where:
            where = f"{where} (column {column_of[where]!r})"
        empty = error["type"] in ("missing", "string_too_short") or error.get("input") is None
        parts.append(f"{where} {'is missing or empty' if empty else error['msg'].lower()}")
    return "; ".join(parts)


def findings_from_inputs(
    items: list[tuple[int, dict[str, Any] | FindingInput]],
    *,
    org_id: str,
    audit_id: str,
    source: str,
    document_id: str | None = None,
    document: str | None = None,
    column_of: dict[str, str] | None = None,
) -> tuple[list[Finding], list[RowError]]:
    """Validate (row number, item) pairs into findings; bad items become row errors, good ones survive.

    `column_of` (field → source column) lets an error name the column the user knows.
    """
    findings: list[Finding] = []
    errors: list[RowError] = []
    seen_keys: set[str] = set()
    for row, raw in items:
        try:
            item = raw if isinstance(raw, FindingInput) else FindingInput.model_validate(raw)
        except ValidationError as exc:
            errors.append(RowError(row=row, reason=_reason(exc, column_of or {})))
            continue
        # The source's own finding number keeps ids stable when rows are re-ordered; otherwise the row.
        key = f"ext:{item.external_id}" if item.external_id else f"row:{row}"
        if key in seen_keys:
            errors.append(RowError(row=row, reason=f"duplicate finding id {item.external_id!r}"))
            continue
        seen_keys.add(key)
        sample: SampleFacts | None = parse_sample(item.sample) or parse_sample(item.text)
        if sample is None and item.sample:
            sample = SampleFacts(text=item.sample)
        control_ref = None
        if item.control_ref:
            control_ref = normalise_ref(item.control_ref) or item.control_ref
        findings.append(
            Finding(
                id=finding_id(org_id=org_id, audit_id=audit_id, source=source, layout="import", key=key),
                org_id=org_id,
                audit_id=audit_id,
                document_id=document_id,
                document=document,
                page=item.page,
                layout=FindingLayout.IMPORT,
                ordinal=len(findings),
                control_ref=control_ref,
                control_description=item.control_description,
                test_performed=item.test_performed,
                title=item.title,
                text=item.text,
                sample=sample,
                context=item.context,
                criteria=item.criteria,
                cause=item.cause,
                effect=item.effect,
                recommendation=item.recommendation,
                management_response=item.management_response,
                section=item.section,
            )
        )
    return findings, errors


def _json_items(path: Path, data: bytes) -> list[Any]:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestionError(str(path), f"not valid JSON ({exc})") from exc
    if isinstance(payload, dict) and isinstance(payload.get("findings"), list):
        payload = payload["findings"]
    if not isinstance(payload, list):
        raise NotAFindingsList(str(path), 'JSON must be a list of findings (or {"findings": [...]})')
    return payload


def import_findings(
    path: str | Path,
    *,
    org_id: str,
    audit_id: str,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    document_id: str | None = None,
    filename: str | None = None,
) -> ImportResult:
    """Findings from a CSV, XLSX or JSON list; IngestionError only when the whole file is unusable."""
    path = Path(path)
    label = filename or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestionError(str(path), f"cannot read file ({exc.strerror})") from exc
    if not data.strip():
        raise IngestionError(str(path), "file is empty")
    source = hashlib.sha256(data).hexdigest()
    columns: dict[str, str] = {}
    items: list[tuple[int, dict[str, Any] | FindingInput]] = []
    rejected: list[RowError] = []
    if data.lstrip()[:1] in (b"[", b"{"):
        for number, item in enumerate(_json_items(path, data), start=1):
            if not isinstance(item, dict):
                rejected.append(
                    RowError(row=number, reason=f"item is a {type(item).__name__}, not an object")
                )
                continue
            if mapping:
                item = {mapping.get(k, k): v for k, v in item.items()}
            items.append((number, item))
        columns = {name: name for name in FIELDS}
    else:
        headers, rows = _read_table(path, data)
        if not headers:
            raise IngestionError(str(path), "no header row found")
        columns = detect_columns(headers)
        if mapping:
            columns = _apply_mapping(str(path), headers, columns, mapping)
        if "text" not in columns.values():
            raise NotAFindingsList(
                str(path),
                "no column holds the finding text (expected e.g. 'Condition', 'Finding' or 'Exception'; "
                f"columns: {', '.join(h for h in headers if h)}); map one with text=<column>",
            )
        items = [(number, _row_to_input(row, columns)) for number, row in rows]
    # A control matrix exported as a sheet lists passed tests too; "No exceptions noted" is not a finding.
    passed = [
        item
        for item in items
        if isinstance(item[1], dict) and NO_EXCEPTION.match(str(item[1].get("text") or ""))
    ]
    items = [item for item in items if item not in passed]
    findings, errors = findings_from_inputs(
        items,
        org_id=org_id,
        audit_id=audit_id,
        source=source,
        document_id=document_id,
        document=label,
        column_of={name: header for header, name in columns.items()},
    )
    errors = sorted(rejected + errors, key=lambda e: e.row)
    warnings = [f"row {e.row}: {e.reason}" for e in errors]
    reconciliation = Reconciliation(
        markers_found=len(items) + len(rejected),  # passed rows are no exception markers
        findings_extracted=len(findings),
        matched=not errors,
        unmatched_markers=[UnmatchedMarker(page=None, snippet=w) for w in warnings],
        warnings=warnings,
    )
    return ImportResult(
        source=label,
        dry_run=dry_run,
        columns=columns,
        rows_read=len(items) + len(rejected) + len(passed),
        passed_rows=len(passed),
        findings=findings,
        errors=errors,
        reconciliation=reconciliation,
    )
