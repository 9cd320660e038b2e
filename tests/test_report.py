"""Page furniture from bbp_analysis.report: the line saying what a page was built for."""

from __future__ import annotations

from bbp_analysis.report import run_context

from support import RUN_PARAMS

PARAMS = RUN_PARAMS


def test_run_context_names_the_borough_view() -> None:
    assert run_context(PARAMS.replace(pcn=None)).data == (
        "**Reporting period** 2025-26 (1 April 2025 to 31 March 2026) · **Area** Harrow "
        "(E09000015) · **View** all its Primary Care Networks · **Confidence intervals** 95.0%"
    )


def test_run_context_says_plainly_which_pcn_and_what_stays_borough_wide() -> None:
    text = run_context(PARAMS.replace(pcn="Sphere PCN")).data
    assert "**View** Sphere PCN: this neighbourhood's own figures, beside Harrow's" in text
    assert "headline values and status are for the whole of Harrow" in text
