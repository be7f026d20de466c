"""PNG charts of a run's summary, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: servers and CI have no display

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from api.batch.summary import write_atomic


def _save(fig: Figure, path: Path) -> None:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def _stacked(ax: Any, labels: list[str], series: dict[str, list[int]]) -> None:
    bottom = [0] * len(labels)
    for name, values in sorted(series.items()):
        ax.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if series:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def write_charts(summary: dict[str, Any], out_dir: Path) -> list[str]:
    """Draw every chart that has data; returns the file names written."""
    written: list[str] = []
    audits = summary["per_audit"]
    labels = [f"{a['audit']}\n{a['period']}" if a["period"] != a["audit"] else a["audit"] for a in audits]
    if audits:
        fig, ax = plt.subplots(figsize=(max(5, len(audits) * 1.2), 3.5))
        ax.bar(labels, [a["succeeded"] for a in audits], label="analysed")
        ax.bar(labels, [a["failed"] for a in audits], bottom=[a["succeeded"] for a in audits], label="failed")
        ax.set_title("Findings per audit and period")
        ax.set_ylabel("findings")
        ax.legend(fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        _save(fig, out_dir / "findings_per_audit.png")
        written.append("findings_per_audit.png")
        for field, title, name in (
            ("exception_types", "Exception types over time", "types_over_time.png"),
            ("root_causes", "Root causes over time", "causes_over_time.png"),
        ):
            keys = sorted({k for a in audits for k in a[field]})
            if not keys:
                continue
            fig, ax = plt.subplots(figsize=(max(6, len(audits) * 1.4), 4))
            _stacked(ax, labels, {k: [a[field].get(k, 0) for a in audits] for k in keys})
            ax.set_title(title)
            ax.set_ylabel("findings")
            ax.tick_params(axis="x", labelsize=7)
            _save(fig, out_dir / name)
            written.append(name)
    top = summary["top_controls"]
    if top:
        fig, ax = plt.subplots(figsize=(6, max(2.5, len(top) * 0.35)))
        ax.barh([c["control_ref"] for c in reversed(top)], [c["findings"] for c in reversed(top)])
        ax.set_title("Top controls by exceptions")
        ax.set_xlabel("findings")
        _save(fig, out_dir / "top_controls.png")
        written.append("top_controls.png")
    repeats = summary["repeat_findings"]
    if repeats and audits:
        names = [a["audit"] for a in audits]
        rows = repeats[:15]
        fig, ax = plt.subplots(figsize=(max(5, len(names) * 1.2), max(2.5, len(rows) * 0.4)))
        for y, r in enumerate(rows):
            xs = [names.index(a) for a in r["audits"] if a in names]
            ax.plot(xs, [y] * len(xs), marker="o")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(
            [f"{r['control_ref'] or '-'} · {r['exception_type'] or '-'}" for r in rows], fontsize=7
        )
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, fontsize=7, rotation=20)
        ax.set_title("Repeat findings across audits")
        _save(fig, out_dir / "repeat_findings.png")
        written.append("repeat_findings.png")
    return written
