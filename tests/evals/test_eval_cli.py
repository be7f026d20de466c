"""`auditlens eval` end to end: offline with a failing floor, and the openai provider against a loopback
OpenAI-compatible stub (real LangChain adapter and HTTP, scripted replies)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from api.cli import eval_cmd
from evals.cases import EvalCase, write_cases
from tests.analyzer.fakes import good_answer
from tests.analyzer.openai_stub import StubServer, completion, error


def _app() -> typer.Typer:
    app = typer.Typer()
    eval_cmd.register(app)
    return app


def _suite(path: Path) -> Path:
    rows = [
        ("c1", "Quarterly access reviews were completed late in two quarters.", "operating_ineffectiveness"),
        ("c2", "The Company did not obtain its hosting provider's SOC 2 report.", "vendor_noncompliance"),
    ]
    cases = [
        EvalCase.model_validate(
            {
                "id": cid,
                "finding": {"text": text, "management_response": "Two analyst positions were vacant."},
                "expected": {
                    "exception_type": etype,
                    "acceptable_types": [etype],
                    "root_causes": ["resource_constraints"],
                    "acceptable_root_causes": ["resource_constraints"],
                    "plan_reference": "Assign backup reviewers for each system. Re-test the reviews.",
                },
            }
        )
        for cid, text, etype in rows
    ]
    write_cases(path, cases)
    return path


def test_offline_eval_writes_reports_and_fails_under_a_floor(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "s.jsonl")
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    result = CliRunner().invoke(
        _app(),
        [
            "eval",
            "--fixtures",
            str(suite),
            "--out",
            str(out),
            "--markdown",
            str(md),
            "--fail-under",
            "lenient_type_accuracy=1.01",
            "--write-baseline",
            str(tmp_path / "b.json"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "FAIL: lenient_type_accuracy" in result.output and "1 metric(s) below their floor" in result.output
    report = json.loads(out.read_text())
    assert report["analyzer"] == "offline" and report["summary"]["cases"] == 2
    assert set(report["summary"]["baselines"]) == {"majority", "knn"}
    assert "## Confusion matrix" in md.read_text()
    again = CliRunner().invoke(
        _app(), ["eval", "--fixtures", str(suite), "--baseline", str(tmp_path / "b.json")]
    )
    assert again.exit_code == 0, again.output


def test_bad_invocations_are_one_line_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(_app(), ["eval", "--suite", "soc2-core-v1", "--fixtures", str(tmp_path / "x.jsonl")])
    assert both.exit_code == 1 and "name exactly one of" in both.output
    unknown = runner.invoke(_app(), ["eval", "--suite", "nope-v9"])
    assert unknown.exit_code == 1 and "unknown suite 'nope-v9'; known suites:" in unknown.output
    rule = runner.invoke(_app(), ["eval", "--suite", "soc2-core-v1", "--fail-under", "oops"])
    assert rule.exit_code == 1 and "expected metric=value" in rule.output


def test_openai_provider_against_a_loopback_stub(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "s.jsonl")
    out = tmp_path / "r.json"
    with StubServer() as stub:
        stub.script(
            completion(
                json.dumps(good_answer(cited=("c1:response",))),
                prompt_tokens=2500,
                completion_tokens=420,
                cached_tokens=2048,
            ),
            error(400, "context length exceeded"),
        )
        env = {
            "AUDITLENS_LLM_BASE_URL": stub.base_url,
            "AUDITLENS_LLM_MODEL": "stub-model",
            "AUDITLENS_LLM_API_KEY": "sk-test",
            "AUDITLENS_LLM_MAX_RETRIES": "0",
        }
        result = CliRunner().invoke(
            _app(), ["eval", "--fixtures", str(suite), "--provider", "openai", "--out", str(out)], env=env
        )
    assert result.exit_code == 0, result.output
    assert len(stub.requests) == 2
    s = json.loads(out.read_text())["summary"]
    assert (s["cases"], s["failed"]) == (2, 1)
    assert (s["tokens_in"], s["tokens_out"], s["tokens_cached"]) == (2500, 420, 2048)
    assert s["strict_type_accuracy"] == 0.5
    # The case's own management response was retrieved as a report chunk and cited.
    assert (s["citation_validity_rate"], s["citations_total"]) == (1.0, 2)  # citation + cause evidence
    first_prompt = json.dumps(stub.requests[0]["json"])
    assert "c1:response" in first_prompt and "c2:response" not in first_prompt
