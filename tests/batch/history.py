"""A small generated audit history: 3 audits x 3 periods of classic-layout reports, one planted repeat."""

from __future__ import annotations

from pathlib import Path

# The planted repeat: the same control fails in every period.
REPEAT_CONTROL = "CC6.2"
YEARS = (2022, 2023, 2024)
# Controls that fail once each (so they must not show up as control repeats).
ONE_OFF = {
    2022: [
        (
            "CC7.2",
            "Security alerts were not reviewed",
            "Alerts from the monitoring tool were not reviewed for 6 of 30 days sampled.",
        )
    ],
    2023: [
        (
            "CC8.1",
            "Change deployed without approval",
            "Two production changes were deployed without a documented approval ticket.",
        )
    ],
    2024: [
        (
            "A1.2",
            "Backup restore test skipped",
            "The quarterly backup restore test was not performed in two quarters.",
        )
    ],
}
SECOND = {
    2022: (
        "CC1.4",
        "Training records incomplete",
        "Security awareness training records were missing for 4 of 40 new hires.",
    ),
    2023: (
        "CC9.2",
        "Vendor review overdue",
        "The annual review of a critical hosting vendor's SOC report was not performed.",
    ),
    2024: (
        "CC3.2",
        "Risk assessment not updated",
        "The annual risk assessment was not updated after the office move.",
    ),
}


def finding_block(number: str, title: str, control: str, condition: str, cause: str) -> str:
    """One classic finding in Markdown."""
    return (
        f"### Finding {number}: {title}\n\n"
        f"Condition: {condition}\n\n"
        f"Criteria: Control {control} requires this activity to be performed and evidenced.\n\n"
        f"Cause: {cause}\n\n"
        f"Management's response: The control owner will correct the process and keep evidence.\n\n"
    )


def write_history(root: Path) -> Path:
    """Write the reports under root/source; returns the source folder."""
    src = root / "source"
    for year in YEARS:
        blocks = [
            finding_block(
                f"{year}-001",
                f"Leavers kept access ({year})",
                REPEAT_CONTROL,
                f"Access for 3 of 25 terminated employees in {year} was not removed within one business day.",
                "The HR feed to the identity system failed and nobody monitored it.",
            )
        ]
        for i, (control, title, condition) in enumerate(ONE_OFF[year], start=2):
            blocks.append(
                finding_block(f"{year}-00{i}", title, control, condition, "Staff were not trained.")
            )
        control, title, condition = SECOND[year]
        blocks.append(finding_block(f"{year}-003", title, control, condition, "Resources were short."))
        audit = src / f"acme-{year}"
        audit.mkdir(parents=True)
        (audit / "report.md").write_text(
            f"# Internal Audit Report {year}\n\n## Findings\n\n" + "".join(blocks), encoding="utf-8"
        )
    # Bad input next to the good: an audit folder with no report and a file with no period in its name.
    (src / "acme-2021" / "evidence").mkdir(parents=True)
    (src / "acme-2021" / "evidence" / "tickets.txt").write_text("ticket list", encoding="utf-8")
    (src / "readme.txt").write_text("not an audit", encoding="utf-8")
    return src
