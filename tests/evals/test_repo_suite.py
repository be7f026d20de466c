"""The committed repo suite: generated from its source, and it covers what the suite promises."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from analyzer.taxonomy import exception_type_ids, root_cause_ids
from evals.registry import EVALS_DIR, Suite, get_suite, load_registry

GENERATED = [s for s in load_registry().values() if s.generator]


@pytest.mark.parametrize("suite", GENERATED, ids=[s.id for s in GENERATED])
def test_committed_file_matches_its_generator(suite: Suite, tmp_path: Path) -> None:
    assert suite.file is not None and suite.generator is not None
    generator = EVALS_DIR / suite.generator
    source = generator.read_text(encoding="utf-8")
    out_line = f'OUT = Path(__file__).with_name("{Path(suite.file).name}")'
    assert out_line in source
    script = tmp_path / "gen.py"
    script.write_text(
        source.replace(out_line, f"OUT = Path({str(tmp_path / 'out.jsonl')!r})"), encoding="utf-8"
    )
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
    committed = (EVALS_DIR / suite.file).read_text(encoding="utf-8")
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == committed


def test_suite_covers_types_causes_near_misses_and_injections() -> None:
    cases = get_suite("soc2-core-v1").load()
    assert len(cases) >= 80
    strict = Counter(c.expected.exception_type.value for c in cases if c.expected.exception_type)
    assert set(strict) == set(exception_type_ids())
    assert min(strict.values()) >= 10
    causes = Counter(r.value for c in cases for r in c.expected.root_causes)
    assert set(causes) == set(root_cause_ids())
    tags = Counter(t for c in cases for t in c.tags)
    assert tags["injection"] >= 5 and tags["near_miss"] >= 20 and tags["split"] >= 1
    hard = {"operating_ineffectiveness", "control_gap", "policy_noncompliance"}
    near = [c for c in cases if len({t.value for t in c.expected.acceptable_types} & hard) >= 2]
    assert len(near) >= 15
    assert sum(1 for c in cases if c.expected.plan_reference) >= 15


def test_registry_points_at_existing_files() -> None:
    for suite in load_registry().values():
        if suite.file:
            assert (EVALS_DIR / suite.file).exists()
        baseline = suite.baseline_path("offline")
        assert baseline is not None and baseline.exists(), f"{suite.id}: missing committed baseline"
        json.loads(baseline.read_text(encoding="utf-8"))


@pytest.mark.parametrize("suite", GENERATED, ids=[s.id for s in GENERATED])
def test_every_written_suite_covers_all_types(suite: Suite) -> None:
    cases = suite.load()
    strict = {c.expected.exception_type.value for c in cases if c.expected.exception_type}
    assert strict == set(exception_type_ids())
