"""Convert the shared real-findings dev file (annotated public findings) to the fixture format at run time.

The shared file is read where it lies (`../shared/data/` next to the repository) and never copied into
the repository. The stated cause (`cause_text`) is deliberately NOT given to the analyzer: it is the
answer the root-cause labels were taken from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evals.cases import EvalCase, FixtureError

SHARED_DEV_NAME = "real-findings-dev.jsonl"


def default_shared_dev_path() -> Path:
    """`<repo>/../shared/data/real-findings-dev.jsonl` (the checkout's sibling `shared` directory)."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / SHARED_DEV_NAME


def _text(value: Any) -> str | None:
    """A stripped string, or None for missing / blank values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def convert_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """One shared record -> one fixture case (as a dict in the fixture format)."""
    labels = record.get("labels")
    if not isinstance(labels, Mapping):
        raise ValueError("no `labels` object")
    text = _text(record.get("finding_text"))
    if text is None:
        raise ValueError("empty `finding_text`")
    primary = labels.get("primary_type")
    acceptable = list(labels.get("acceptable_types") or [])
    if primary and primary not in acceptable:
        acceptable.insert(0, primary)
    cause_stated = bool(labels.get("cause_stated"))
    causes = list(labels.get("root_causes") or []) if cause_stated else []
    may = list(labels.get("acceptable_root_causes") or []) if cause_stated else []
    may += [c for c in causes if c not in may]
    tags = ["shared-dev", f"agreement:{labels.get('agreement', 'unknown')}"]
    if labels.get("soc2_relevant"):
        tags.append("soc2_relevant")
    if not cause_stated:
        tags.append("no_cause")
    return {
        "id": str(record.get("id") or "").strip(),
        "finding": {
            "text": text,
            "title": _text(record.get("title")),
            "control_ref": _text(record.get("control_ref")),
            "context": _text(record.get("context_text")),
            "management_response": _text(record.get("management_response")),
        },
        "expected": {
            "exception_type": primary or None,
            "acceptable_types": acceptable,
            "root_causes": causes,
            "acceptable_root_causes": may,
            "plan_reference": _text(record.get("corrective_action_plan_text")),
        },
        "tags": tags,
    }


def convert_lines(lines: Iterable[str], *, source: str) -> list[EvalCase]:
    """Convert every line; bad lines are all reported with their numbers in one FixtureError."""
    cases: list[EvalCase] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            case = EvalCase.model_validate(convert_record(record))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            errors.append(f"line {number}: {where}: {str(err['msg']).removeprefix('Value error, ')}")
            continue
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if case.id in seen:
            errors.append(f"line {number}: duplicate id {case.id!r}")
            continue
        seen.add(case.id)
        cases.append(case)
    if errors:
        raise FixtureError(
            f"{source}: {len(errors)} record(s) could not be converted: " + "; ".join(errors[:5])
        )
    if not cases:
        raise FixtureError(f"{source}: no records")
    return cases


def load_shared_dev(path: Path | None = None, *, limit: int | None = None) -> list[EvalCase]:
    """Read and convert the shared dev file (default location when `path` is None)."""
    target = path or default_shared_dev_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(f"{target}: shared dev file not found (it lives outside the repository)") from None
    cases = convert_lines(text.splitlines(), source=str(target))
    return cases[:limit] if limit is not None else cases
