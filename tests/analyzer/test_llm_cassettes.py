"""Replay the recorded exchanges with a real OpenAI-compatible server (vcrpy, record_mode="none")."""

from __future__ import annotations

import json

import pytest

from tests.cassettes.scenarios import CASSETTES, MANIFEST, SCENARIOS, make_vcr


def _manifest() -> dict[str, dict[str, object]]:
    assert MANIFEST.exists(), f"{MANIFEST} missing: run `make cassettes`"
    return json.loads(MANIFEST.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_cassette_replays_to_the_recorded_outcome(name: str) -> None:
    recorded = _manifest()[name]
    with make_vcr("none").use_cassette(f"{name}.yaml") as cassette:
        outcome = SCENARIOS[name]()
    assert cassette.all_played, "some recorded requests were not made again: the wire format changed"
    assert len(cassette) == recorded["interactions"]
    assert outcome == recorded["outcome"]


def test_llama_cpp_rejects_json_schema_and_the_analysis_fails_cleanly() -> None:
    with make_vcr("none").use_cassette("llamacpp_json_schema_rejected.yaml"):
        outcome = SCENARIOS["llamacpp_json_schema_rejected"]()
    assert outcome["status"] == "failed" and outcome["exception_type"] is None
    assert "after 1 attempt(s): HTTP 500" in str(outcome["error"])


def test_function_calling_exchange_goes_through_validation() -> None:
    with make_vcr("none").use_cassette("llamacpp_function_calling_analysis.yaml") as cassette:
        outcome = SCENARIOS["llamacpp_function_calling_analysis"]()
    assert outcome["retrieved_chunk_ids"] == ["ev1:0", "ev1:1"]
    tokens = outcome["tokens"]
    assert isinstance(tokens, dict) and tokens["input"] > 1024 and tokens["output"] > 0
    if outcome["status"] == "ok":
        assert len(cassette) in (1, 2) and outcome["exception_type"]
    else:  # the small model's answer was rejected twice: exactly one repair was sent
        assert len(cassette) == 2 and str(outcome["error"]).startswith(
            "invalid model output after one repair"
        )
        assert outcome["exception_type"] is None
    body = json.loads(cassette.requests[0].body)
    assert body["tools"][0]["function"]["name"] == "finding_analysis" and body["temperature"] == 0


def test_real_server_answer_that_breaks_off_is_rejected_not_guessed() -> None:
    # SmolLM2-135M was asked to copy a valid answer; it ran into max_tokens mid-string.
    with make_vcr("none").use_cassette("llamacpp_function_calling_copy.yaml"):
        outcome = SCENARIOS["llamacpp_function_calling_copy"]()
    assert outcome["status"] == "failed" and "not valid JSON" in str(outcome["error"])
    assert outcome["model"] == "smollm2-135m-instruct"


def test_cassettes_hold_no_credentials() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        assert "sk-recording" not in text and "authorization" not in text and "bearer" not in text, path.name
