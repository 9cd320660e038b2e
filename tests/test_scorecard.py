"""The plan's five partnership measures as a table."""

from __future__ import annotations

from pathlib import Path

from bbp_analysis import judgement
from bbp_analysis.headline import COMPARISON_VOCABULARY, STATUS_VOCABULARY
from bbp_analysis.reference import load_reference
from bbp_analysis.scorecard import plan_measures

ROOT = Path(__file__).resolve().parents[1]


def test_all_measures_with_their_figures() -> None:
    table = plan_measures(load_reference("partnership_measures"))
    rows = {(r["Measure"].split(".")[0], r["Unit"]): r for _, r in table.iterrows()}
    decay = rows[("1", "%")]
    assert (decay["Plan baseline (Harrow)"], decay["London"], decay["England"]) == (
        "42.4",
        "27",
        "23.4",
    )
    good = rows[("2", "% rating access good")]
    assert (good["Plan baseline (Harrow)"], good["NWL"], good["London"]) == ("68", "71", "76")
    assert rows[("2", "% rating access poor")]["NWL"] == "12"
    assert rows[("4", "% voluntary turnover")]["Target value"] == "10 to 18.4"
    acsc = rows[("5", "rate of admission by weighted population")]
    assert (acsc["Plan baseline (Harrow)"], acsc["NWL"], acsc["PCN range"]) == (
        "11.47",
        "9.89",
        "10.3 to 12.81",
    )
    assert rows[("3", "")]["Plan baseline (Harrow)"] == "Establish baseline in 22/23."


def test_filter_by_objective() -> None:
    reference = load_reference("partnership_measures")
    measures = {m.split(".")[0] for m in plan_measures(reference, objective=2)["Measure"]}
    assert measures == {"3", "4"}


def _methods_table(marker: str) -> list[list[str]]:
    """The rows of the table between ``% <marker>`` and ``% end <marker>`` in methods.md."""
    text = (ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    body = text.split(f"% {marker}:", 1)[1].split(f"% end {marker}", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_methods_page_states_the_status_vocabulary_of_the_code() -> None:
    rows = _methods_table("status-vocabulary")
    assert rows == [[word, symbol, rule] for word, (symbol, rule) in STATUS_VOCABULARY.items()]
    comparisons = _methods_table("comparison-vocabulary")
    assert comparisons == [[word, rule] for word, rule in COMPARISON_VOCABULARY.items()]
    assert "on track" not in STATUS_VOCABULARY and "no target" not in STATUS_VOCABULARY


def test_every_status_on_the_methods_page_is_assigned_by_a_chapter() -> None:
    """A status the code never assigns must not be promised on the methods page: each word is
    returned by the chapters or by the judgement module they call."""
    src = ROOT / "src" / "bbp_analysis"
    code = "".join(
        path.read_text(encoding="utf-8")
        for path in [*(src / "chapters").glob("objective_*.py"), src / "judgement.py"]
    )
    for word in STATUS_VOCABULARY:
        assert f'"{word}"' in code, word
    assert judgement.against_target(1.0, 3.0, 2.0, "high_is_good") == "uncertain"
