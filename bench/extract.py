"""Finding extraction speed on a long report: `python bench/extract.py [--copies 40]`.

Parses the bundled labelled-text and grid-table SOC 2 PDFs once, repeats their pages to build a long
report, and times `extract_findings` (extraction + reconciliation) next to a baseline measured in the
same run: one regex pass over the element texts that only finds "exception noted" lines (no rows, no
fields, no responses, no reconciliation).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from analyzer.privacy import apply_offline_defaults
from analyzer.settings import Settings
from ingestion.elements import ParsedDocument
from ingestion.extract import extract_findings
from ingestion.parser import DocumentParser

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLES = ["acme-soc2-type2-2025.pdf", "acme-soc2-type2-2025-tables.pdf"]
NAIVE = re.compile(r"(?<!no )exceptions? noted", re.IGNORECASE)


def _repeat(parsed: ParsedDocument, copies: int) -> ParsedDocument:
    """The report's pages repeated `copies` times, with distinct element ids and page numbers."""
    elements = [
        e.model_copy(update={"id": f"{e.id}-{k}", "page": (e.page or 0) + k * parsed.pages})
        for k in range(copies)
        for e in parsed.elements
    ]
    return parsed.model_copy(update={"elements": elements, "pages": parsed.pages * copies})


def main() -> None:
    """Print pages/s of the extractor and of the naive baseline for each sample layout."""
    apply_offline_defaults()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=40, help="how many times to repeat the report")
    args = parser.parse_args()
    with DocumentParser(Settings()) as doc_parser:
        parsed = {name: doc_parser.parse(EXAMPLES / name) for name in SAMPLES}
    print(f"{'layout':36} {'pages':>6} {'findings':>8} {'matched':>7} {'extract p/s':>12} {'naive p/s':>10}")
    for name, document in parsed.items():
        big = _repeat(document, args.copies)
        started = time.perf_counter()
        result = extract_findings(big, org_id="bench", audit_id="bench", document_id="bench")
        extract_s = time.perf_counter() - started
        started = time.perf_counter()
        naive = sum(1 for e in big.elements if NAIVE.search(e.text))
        naive_s = time.perf_counter() - started
        print(
            f"{name:36} {big.pages:>6} {len(result.findings):>8} {result.reconciliation.matched!s:>7} "
            f"{big.pages / extract_s:>12.0f} {big.pages / max(naive_s, 1e-9):>10.0f}   (naive hits: {naive})"
        )


if __name__ == "__main__":
    main()
