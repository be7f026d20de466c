"""The fixture loader: valid files load, bad lines are reported with their numbers and reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.cases import EvalCase, FixtureError, load_cases, parse_lines, write_cases


def _case(case_id: str = "c1", **expected: object) -> dict[str, object]:
    exp: dict[str, object] = {
        "exception_type": "control_gap",
        "acceptable_types": ["control_gap"],
        "root_causes": ["inadequate_planning"],
        "acceptable_root_causes": ["inadequate_planning"],
        "plan_reference": None,
    }
    exp.update(expected)
    return {
        "id": case_id,
        "finding": {
            "text": "No change management process existed.",
            "title": None,
            "control_ref": "CC8.1",
            "context": None,
            "management_response": None,
        },
        "expected": exp,
        "tags": ["t"],
    }


def test_valid_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "suite.jsonl"
    path.write_text(json.dumps(_case("a")) + "\n\n" + json.dumps(_case("b", exception_type=None)) + "\n")
    cases = load_cases(path)
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[1].expected.exception_type is None
    finding = cases[0].to_finding()
    assert finding.text.startswith("No change") and finding.control_ref == "CC8.1"
    out = tmp_path / "copy.jsonl"
    assert write_cases(out, cases) == 2
    assert load_cases(out) == cases
    assert load_cases(path, limit=1) == cases[:1]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object, got list"),
        (json.dumps(_case("x", exception_type="made_up")), "line 2: expected.exception_type"),
        (json.dumps(_case("x", acceptable_types=["policy_noncompliance"])), "must contain the strict label"),
        (json.dumps(_case("x", acceptable_root_causes=[])), "missing inadequate_planning"),
        (json.dumps(_case("c1")), "line 2: duplicate id 'c1' (first on line 1)"),
        (json.dumps({**_case("x"), "extra": 1}), "line 2: extra: Extra inputs are not permitted"),
    ],
)
def test_bad_line_is_named(line: str, reason: str) -> None:
    with pytest.raises(FixtureError) as err:
        parse_lines([json.dumps(_case("c1")), line], source="suite.jsonl")
    message = str(err.value)
    assert message.startswith("suite.jsonl: 1 bad line(s): ")
    assert reason in message
    assert "\n" not in message


def test_every_bad_line_is_listed() -> None:
    with pytest.raises(FixtureError, match=r"2 bad line\(s\): line 1: .*; line 3: "):
        parse_lines(["{", json.dumps(_case("ok")), "3"], source="f")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="no such fixture file"):
        load_cases(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(FixtureError, match="no cases"):
        load_cases(empty)


def test_model_rejects_empty_text() -> None:
    data = _case("x")
    data["finding"] = {"text": ""}
    with pytest.raises(FixtureError, match=r"finding\.text"):
        parse_lines([json.dumps(data)], source="f")
    assert EvalCase.model_validate(_case("y")).expected.scores_root_causes
