"""Prompt files: strict loading, StrictUndefined rendering, released hashes pinned, strict JSON schema."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
import yaml

from analyzer.errors import ConfigError
from analyzer.llm_analyzer import stable_inputs
from analyzer.llm_output import LLMFindingAnswer, answer_json_schema
from analyzer.prompting import PROMPTS_DIR, load_prompt, parse_prompt, released_hashes

# Pinned here as well as in prompts/RELEASED.json: a released prompt is immutable, so changing its bytes
# must fail this test; publish a new version file instead.
PINNED = {"analyze_finding/v1": "a312aea6b36e54d5cc3f1d49e7cf574fbcb088f5600338291f651f2e0c7524b9"}

MINIMAL = {
    "id": "demo",
    "version": 1,
    "description": "demo prompt",
    "inputs": ["name"],
    "system": "Hello {{ name }}",
    "user": "Data: {{ name | data }}",
    "examples": [],
}


def _write(tmp_path: Path, data: dict[str, object], version: int = 1) -> Path:
    folder = tmp_path / str(data["id"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"v{version}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_released_prompts_are_unchanged() -> None:
    assert released_hashes() == PINNED
    for key, digest in PINNED.items():
        pid, version = key.split("/v")
        path = PROMPTS_DIR / pid / f"v{version}.yaml"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{key} changed after release"
        assert load_prompt(pid, int(version)).content_hash == digest


def test_every_prompt_file_loads_and_is_listed_as_released_or_newer() -> None:
    files = sorted(PROMPTS_DIR.glob("*/v*.yaml"))
    assert files, "no prompt files found"
    for path in files:
        prompt = load_prompt(path.parent.name, int(path.stem[1:]))
        assert prompt.description and prompt.inputs


def test_unknown_keys_and_missing_fields_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="temperature: Extra inputs are not permitted"):
        parse_prompt(yaml.safe_dump({**MINIMAL, "temperature": 0.7}).encode(), source="x.yaml")
    missing = {k: v for k, v in MINIMAL.items() if k != "user"}
    with pytest.raises(ConfigError, match="user: Field required"):
        parse_prompt(yaml.safe_dump(missing).encode())
    with pytest.raises(ConfigError, match=r"examples\.0\.extra"):
        parse_prompt(
            yaml.safe_dump(
                {**MINIMAL, "examples": [{"name": "a", "input": "b", "output": {}, "extra": 1}]}
            ).encode()
        )
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_prompt(b"id: [unclosed")
    with pytest.raises(ConfigError, match="computed"):
        parse_prompt(yaml.safe_dump({**MINIMAL, "content_hash": "abc"}).encode())


def test_rendering_is_strict(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL)
    prompt = load_prompt("demo", 1, prompts_dir=tmp_path)
    assert prompt.render_system(name="Ada") == "Hello Ada"
    assert prompt.render_user(name="<b>&") == "Data: &lt;b&gt;&amp;"
    with pytest.raises(ConfigError, match="'name' is undefined"):
        prompt.render_system()
    with pytest.raises(ConfigError, match="unknown inputs"):
        prompt.render_system(name="a", other="b")


def test_released_hash_mismatch_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    (tmp_path / "RELEASED.json").write_text(json.dumps({"demo/v1": "0" * 64}))
    with pytest.raises(ConfigError, match="released prompt was modified"):
        load_prompt("demo", 1, prompts_dir=tmp_path)
    (tmp_path / "RELEASED.json").write_text(
        json.dumps({"demo/v1": hashlib.sha256(path.read_bytes()).hexdigest()})
    )
    assert load_prompt("demo", 1, prompts_dir=tmp_path).version == 1
    with pytest.raises(ConfigError, match="declares demo v1, expected demo v2"):
        _write(tmp_path, MINIMAL, version=2)
        load_prompt("demo", 2, prompts_dir=tmp_path)


def test_prompt_examples_are_valid_answers_and_the_template_renders() -> None:
    prompt = load_prompt("analyze_finding", 1)
    assert prompt.examples
    for example in prompt.examples:
        LLMFindingAnswer.model_validate(example.output)
    system = prompt.render_system(**stable_inputs(prompt))
    assert "{{" not in system and "{%" not in system


def test_schema_is_openai_strict_and_unchanged_by_the_sdk_conversion() -> None:
    from openai.lib._pydantic import _ensure_strict_json_schema, to_strict_json_schema

    ours = answer_json_schema()
    converted = _ensure_strict_json_schema(copy.deepcopy(ours), path=(), root=copy.deepcopy(ours))
    assert converted == ours
    assert "$ref" not in json.dumps(ours) and "$defs" not in ours

    # Every object closed with every property required, everywhere (the strict-mode rules).
    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
                assert sorted(node["required"]) == sorted(node["properties"])
            assert "default" not in node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(ours)
    # The SDK's own conversion of the pydantic model gives the same constraints once its $refs are inlined.
    sdk = to_strict_json_schema(LLMFindingAnswer)
    assert set(sdk["required"]) == set(ours["required"]) == set(LLMFindingAnswer.model_fields)


def test_every_output_field_is_described() -> None:
    def walk(node: object, path: str) -> None:
        if isinstance(node, dict) and "properties" in node:
            for name, sub in node["properties"].items():
                assert sub.get("description"), f"{path}.{name} has no description"
                walk(sub, f"{path}.{name}")
        if isinstance(node, dict) and isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]")

    walk(answer_json_schema(), "answer")
