"""Ingestion benchmark: auditlens vs the naive unstructured → LangChain → Chroma pipeline, in one run.

    .venv/bin/python bench/ingest.py [--pages 100] [--big-pages 500] [--skip-big] [--repeat 3]

Builds (or reuses) SOC 2-style control-matrix PDFs under bench/out/ with a known set of planted
exceptions, then runs each pipeline in a fresh child process (so start-up and imports count, and peak RSS
is that pipeline's alone) and prints pages/s, peak RSS, chunks and planted-exception recall.

Peak RSS of auditlens is the ingest process plus its parser processes (each counted at the largest
parser's peak, since the kernel reports only that; the sum is an upper bound of what is resident at
once). Both pipelines use the same MiniLM ONNX embedder, built from the same default settings (so the
same thread count: one per core), and a Chroma PersistentClient in a temporary directory. The
naive pipeline gets the same offline fixes (telemetry off, spaCy model path) because without them
unstructured cannot parse a PDF on a machine without internet at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

ROWS_PER_PAGE = 16  # about what fits on a letter page with four wrapped columns at 8 pt
HEADER = [
    "Control No.",
    "Control Activity Specified by the Service Organization",
    "Tests Performed",
    "Results",
]
_SERIES = [
    f"CC{g}.{p}"
    for g, n in ((1, 5), (2, 3), (3, 4), (4, 2), (5, 3), (6, 8), (7, 5), (8, 1), (9, 2))
    for p in range(1, n + 1)
] + ["A1.1", "A1.2", "A1.3", "C1.1", "C1.2"]
_ACTIVITIES = [
    "Access to the {s} production environment is approved by the system owner before it is granted.",
    "Changes to {s} are peer reviewed and approved before they are deployed to production.",
    "Backups of {s} data are taken daily and a restore is tested each quarter.",
    "Security events raised by monitoring of {s} are triaged by the on-call engineer within one day.",
    "User access to {s} is reviewed quarterly by the system owner and excess access is removed.",
]
_TESTS = [
    "Inspected the approval record for a sample of access grants to {s} made during the period.",
    "Selected a sample of changes to {s} and inspected the review and approval evidence for each.",
    "Inspected backup logs for {s} and the quarterly restore test records.",
    "Inspected a sample of security events for {s} and the related triage tickets.",
    "Inspected the quarterly access reviews of {s} and the tickets removing excess access.",
]
# Planted exceptions, phrased the ways auditors write them; each names a unique system so recall is exact.
_EXCEPTIONS = [
    "Exception noted. For 2 of 25 access grants to {s} sampled, "
    "no approval by the system owner was retained.",
    "Exception noted. 1 of 40 changes to {s} sampled was deployed before its peer review was completed.",
    "Exception noted. The restore test of {s} for the third quarter was not performed.",
    "Deviation noted: 3 of 30 security events for {s} sampled were triaged after more than five days.",
    "Exception noted. The access review of {s} for the second quarter was not evidenced as completed.",
    "Exceptions noted. For 4 of 25 access grants to {s} sampled, access was granted before approval.",
]
NO_EXCEPTION = "No exceptions noted."


def planted_rows(rows: int) -> dict[int, str]:
    """Row index → unique system name of each planted exception (about one every eight pages)."""
    step = max(rows // 12, 7)
    return {i: f"SYS-{i:05d}" for i in range(step // 2, rows, step)}


def build_pdf(path: Path, pages: int) -> dict[str, Any]:
    """A SOC 2-style report: a short front part, then a grid control matrix over about `pages` pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    body = ParagraphStyle("b", parent=styles["BodyText"], fontSize=10, leading=13)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=15)
    rows = max(pages - 2, 1) * ROWS_PER_PAGE
    planted = planted_rows(rows)
    story: list[Any] = [
        Paragraph("Benchmark Services, Inc. - SOC 2 Type II Report", h1),
        Paragraph(
            "This synthetic report exists to measure ingestion. Its control matrix repeats a handful of "
            "control patterns over many systems; a known set of rows carry exceptions.",
            body,
        ),
        PageBreak(),
        Paragraph("Section IV: Trust Services Criteria, Related Controls and Tests of Controls", h1),
    ]
    matrix = [[Paragraph(h, small) for h in HEADER]]
    exceptions: list[dict[str, Any]] = []
    for i in range(rows):
        system = planted.get(i, f"system {i:05d}")
        pattern = i % len(_ACTIVITIES)
        ref = _SERIES[i % len(_SERIES)]
        if i in planted:
            result = _EXCEPTIONS[len(exceptions) % len(_EXCEPTIONS)].format(s=system)
            exceptions.append({"row": i, "ref": ref, "system": system})
        else:
            result = NO_EXCEPTION
        matrix.append(
            [
                Paragraph(ref, small),
                Paragraph(_ACTIVITIES[pattern].format(s=system), small),
                Paragraph(_TESTS[pattern].format(s=system), small),
                Paragraph(result, small),
            ]
        )
    table = Table(matrix, colWidths=[0.8 * inch, 2.1 * inch, 2.1 * inch, 1.8 * inch], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story.append(table)
    SimpleDocTemplate(str(path), pagesize=LETTER).build(story)
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    info = {"pages": len(document), "exceptions": exceptions}
    document.close()
    return info


def ensure_pdf(pages: int) -> tuple[Path, dict[str, Any]]:
    """The benchmark PDF of about `pages` pages, built once and reused."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"soc2-{pages}p.pdf"
    meta_path = path.with_suffix(".json")
    if not (path.exists() and meta_path.exists()):
        meta = build_pdf(path, pages)
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return path, json.loads(meta_path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------- children
def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def child_auditlens(pdf: Path, work: Path) -> dict[str, Any]:
    """auditlens end to end: the ingestion pipeline (parse → findings → chunks → embed → Chroma → SQL)."""
    from analyzer.privacy import apply_offline_defaults

    apply_offline_defaults()
    from analyzer.settings import Settings

    settings = Settings(data_dir=work / "data")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        from ingestion import pipeline
    except ImportError:
        pipeline = None  # type: ignore[assignment]
    if pipeline is not None and hasattr(pipeline, "ingest_paths"):
        from analyzer.storage import catalog
        from analyzer.storage.db import Database

        database = Database(settings.resolved_database_url)
        database.upgrade()
        report = pipeline.ingest_paths([pdf], org="bench", audit="fy", settings=settings, database=database)
        (row,) = report.files
        if row.status != "ready":
            raise SystemExit(f"auditlens ingest failed: {row.error}")
        with database.session() as session:
            texts = [
                f.text for f in catalog.list_findings(session, org_id=report.org_id, audit_id=report.audit_id)
            ]
        return {
            "path": "ingestion.pipeline.ingest_paths",
            "pages": row.pages,
            "chunks": row.chunks,
            "finding_texts": texts,
        }
    # Before the pipeline exists: parse + extract + chunk + embed + Chroma with the same parts.
    from analyzer.adapters.chroma_index import ChromaIndex
    from analyzer.adapters.embeddings import build_embedder
    from ingestion.chunking import chunk_document
    from ingestion.extract import extract_findings
    from ingestion.parser import DocumentParser

    with DocumentParser(settings) as parser:
        parsed = parser.parse(pdf)
    result = extract_findings(parsed, org_id="bench", audit_id="fy", document_id="doc")
    chunks = chunk_document(parsed, org_id="bench", audit_id="fy", document_id="doc")
    index = ChromaIndex(embedder=build_embedder(settings), settings=settings)
    stored = index.replace_document(org_id="bench", document_id="doc", chunks=chunks)
    return {
        "path": "parse+extract+chunk+ChromaIndex",
        "pages": parsed.pages,
        "chunks": stored,
        "finding_texts": [f.text for f in result.findings],
    }


def child_naive(pdf: Path, work: Path) -> dict[str, Any]:
    """What a user would write: unstructured auto partition → RecursiveCharacterTextSplitter → Chroma."""
    from analyzer.privacy import apply_offline_defaults

    apply_offline_defaults()
    # Without this unstructured tries to download its spaCy model and, offline, extracts no text at all.
    import unstructured.nlp.tokenize as tokenize

    from ingestion.parse_worker import spacy_model_dir

    tokenize._SPACY_MODEL_NAME = str(spacy_model_dir())  # type: ignore[misc]
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from unstructured.partition.auto import partition

    from analyzer.adapters.embeddings import build_embedder
    from analyzer.settings import Settings

    class MiniLM(Embeddings):
        def __init__(self) -> None:
            self._model = build_embedder(Settings())  # exactly what auditlens ingestion embeds with

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self._model.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return self._model.embed_query(text)

    elements = partition(filename=str(pdf))
    pages = max((e.metadata.page_number or 0) for e in elements)
    text = "\n\n".join(str(e) for e in elements)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = [Document(page_content=t, metadata={"source": pdf.name}) for t in splitter.split_text(text)]
    client = chromadb.PersistentClient(
        path=str(work / "chroma"), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    store = Chroma.from_documents(docs, MiniLM(), client=client, collection_name="naive")
    return {
        "path": "partition.auto → RecursiveCharacterTextSplitter → Chroma.from_documents",
        "pages": pages,
        "chunks": store._collection.count(),
        "finding_texts": [],
    }


def _embed_threads() -> int:
    from analyzer.adapters.embeddings import resolved_threads
    from analyzer.settings import Settings

    return resolved_threads(Settings().embed_threads)


def run_child(which: str, pdf: Path) -> dict[str, Any]:
    """Run one pipeline in a fresh interpreter and time it from the outside."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{which}-") as tmp:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--child", which, "--pdf", str(pdf), "--work", tmp],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def peak_rss(r: dict[str, Any]) -> float:
    """Own peak plus each parser process counted at the largest parser's peak (an upper bound)."""
    return float(r["rss_self_mb"] + r["rss_children_mb"] * r.get("parser_processes", 1))


def recall(result: dict[str, Any], meta: dict[str, Any]) -> tuple[int, int]:
    """Planted exceptions whose unique system name appears in some extracted finding's text."""
    texts = result.get("finding_texts") or []
    found = sum(1 for e in meta["exceptions"] if any(e["system"] in t for t in texts))
    return found, len(meta["exceptions"])


def main() -> None:
    """Build the inputs, run both pipelines, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--big-pages", type=int, default=500)
    parser.add_argument("--skip-big", action="store_true", help="skip the 500-page RSS measurement")
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating runs of each pipeline; the median is reported"
    )
    parser.add_argument("--only-big", action="store_true", help="only the 500-page RSS measurement")
    parser.add_argument("--child", choices=["auditlens", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--pdf", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run = child_auditlens if args.child == "auditlens" else child_naive
        out = run(args.pdf, args.work)
        # Own peak plus the peak of children it waited for (the parser process).
        out["rss_self_mb"] = _peak_mb(resource.RUSAGE_SELF)
        out["rss_children_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
        if args.child == "auditlens":
            from analyzer.settings import Settings
            from ingestion.parser import SPLIT_MIN_PAGES

            # RUSAGE_CHILDREN is the largest single child; a split PDF had that many parsers at once.
            out["parser_processes"] = Settings().parse_workers if out["pages"] >= SPLIT_MIN_PAGES else 1
        print(json.dumps(out))
        return

    pdf, meta = ensure_pdf(args.pages)
    print(
        f"input: {pdf.relative_to(ROOT)} ({meta['pages']} pages, "
        f"{len(meta['exceptions'])} planted exceptions)"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, embedding threads {_embed_threads()} (both pipelines)"
    )
    if args.only_big:
        big_pdf, big_meta = ensure_pdf(args.big_pages)
        big = run_child("auditlens", big_pdf)
        found, planted = recall(big, big_meta)
        print(
            f"auditlens {big['pages']} pages: {big['wall_s']:.1f}s, "
            f"{big['pages'] / big['wall_s']:.2f} pages/s, "
            f"peak RSS {peak_rss(big):.0f} MB (ingest {big['rss_self_mb']:.0f} + "
            f"{big.get('parser_processes', 1)} x parser {big['rss_children_mb']:.0f}), "
            f"{big['chunks']} chunks, recall {found}/{planted}"
        )
        return
    # Alternating runs, the median reported: wall times on a shared VM vary by +-15 % between runs.
    trials: dict[str, list[dict[str, Any]]] = {"naive": [], "auditlens": []}
    for _ in range(args.repeat):
        for which in trials:
            trials[which].append(run_child(which, pdf))
    runs = {which: sorted(rs, key=lambda r: r["wall_s"])[len(rs) // 2] for which, rs in trials.items()}
    big: dict[str, Any] | None = None
    if not args.skip_big:
        big_pdf, big_meta = ensure_pdf(args.big_pages)
        big = run_child("auditlens", big_pdf) | {"meta": big_meta}

    def row(name: str, r: dict[str, Any], m: dict[str, Any]) -> str:
        rss = peak_rss(r)
        found, planted = recall(r, m)
        rate = r["pages"] / r["wall_s"]
        return (
            f"{name:<24} {r['pages']:>6} {r['wall_s']:>9.1f} {rate:>8.2f} {rss:>10.0f} {r['chunks']:>7} "
            f"{found:>3}/{planted:<3}"
        )

    print()
    print(f"{'pipeline':<24} {'pages':>6} {'wall s':>9} {'pages/s':>8} {'peak MB':>10} {'chunks':>7} recall")
    print(row("naive (unstructured+LC)", runs["naive"], meta))
    print(row("auditlens", runs["auditlens"], meta))
    if big is not None:
        print(row(f"auditlens {big['pages']}p", big, big["meta"]))
    ratio = (runs["auditlens"]["pages"] / runs["auditlens"]["wall_s"]) / (
        runs["naive"]["pages"] / runs["naive"]["wall_s"]
    )
    print()
    if args.repeat > 1:
        for which, rs in trials.items():
            walls = ", ".join(f"{r['wall_s']:.1f}" for r in rs)
            print(f"{which} wall times over {args.repeat} alternating runs: {walls} s (median shown above)")
    print(f"speed-up auditlens / naive: {ratio:.2f}x (goal >= 2x)")
    if big is not None:
        print(
            f"peak RSS at {big['pages']} pages: {peak_rss(big):.0f} MB (ingest {big['rss_self_mb']:.0f} + "
            f"{big.get('parser_processes', 1)} x parser {big['rss_children_mb']:.0f}; goal <= 1536 MB)"
        )
    print(f"auditlens path measured: {runs['auditlens']['path']}")


if __name__ == "__main__":
    main()
