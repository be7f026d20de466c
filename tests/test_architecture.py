"""Keeps the layering of DESIGN true: the analyzer core imports no vendor SDK and nothing imports `api`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_SDKS = {
    "langchain",
    "langchain_core",
    "langchain_openai",
    "langchain_chroma",
    "openai",
    "chromadb",
    "sqlalchemy",
    "alembic",
    "unstructured",
    "fastapi",
    "celery",
    "onnxruntime",
    "tokenizers",
    "httpx",
    "httpx2",
}
# Adapters and persistence may talk to vendors; everything else in analyzer/ is the core.
CORE_EXEMPT_DIRS = {"adapters", "storage"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _py_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_analyzer_core_imports_no_vendor_sdk() -> None:
    offenders = []
    for path in _py_files("analyzer"):
        rel = path.relative_to(ROOT / "analyzer")
        if rel.parts[0] in CORE_EXEMPT_DIRS:
            continue
        bad = _imports(path) & VENDOR_SDKS
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == [], "core modules import vendor SDKs:\n" + "\n".join(offenders)


def test_nothing_imports_api() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("analyzer", "ingestion", "evals")
        for path in _py_files(package)
        if "api" in _imports(path)
    ]
    assert offenders == []


def test_dependency_direction() -> None:
    # analyzer depends on nothing of ours; ingestion and evals only on analyzer.
    allowed = {
        "analyzer": {"analyzer"},
        "ingestion": {"analyzer", "ingestion"},
        "evals": {"analyzer", "evals"},
    }
    ours = {"analyzer", "ingestion", "api", "evals"}
    offenders = []
    for package, ok in allowed.items():
        for path in _py_files(package):
            bad = (_imports(path) & ours) - ok
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == [], "\n".join(offenders)
