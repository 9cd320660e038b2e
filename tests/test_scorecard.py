"""The plan's five partnership measures as a table."""

from __future__ import annotations

from bbp_analysis.reference import load_reference
from bbp_analysis.scorecard import plan_measures


def test_all_measures_with_their_figures() -> None:
    table = plan_measures(load_reference("partnership_measures"))
    rows = {(r["Measure"].split(".")[0], r["Unit"]): r for _, r in table.iterrows()}
    decay = rows[("1", "%")]
    assert (decay["Harrow baseline"], decay["London"], decay["England"]) == ("42.4", "27", "23.4")
    good = rows[("2", "% rating access good")]
    assert (good["Harrow baseline"], good["NWL"], good["London"]) == ("68", "71", "76")
    assert rows[("2", "% rating access poor")]["NWL"] == "12"
    assert rows[("4", "% voluntary turnover")]["Target value"] == "10 to 18.4"
    acsc = rows[("5", "rate of admission by weighted population")]
    assert (acsc["Harrow baseline"], acsc["NWL"], acsc["PCN range"]) == (
        "11.47",
        "9.89",
        "10.3 to 12.81",
    )
    assert rows[("3", "")]["Harrow baseline"] == "Establish baseline in 22/23."


def test_filter_by_objective() -> None:
    reference = load_reference("partnership_measures")
    measures = {m.split(".")[0] for m in plan_measures(reference, objective=2)["Measure"]}
    assert measures == {"3", "4"}
