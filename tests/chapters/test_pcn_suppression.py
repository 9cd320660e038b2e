"""A PCN view's key messages never state a value behind a suppressed count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bbp_analysis.chapters import objective_3_text as text

PARAMS = {"period": "2025-26", "pcn": "Sphere PCN", "area_name": "Harrow"}
NO_PROGRAMMES = pd.DataFrame({"programme": [], "level_ratio": [], "verdict": []})


def pm5(suppressed: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Harrow", "Sphere PCN"],
            "value": [10.79, np.nan if suppressed else 11.15],
            "comparison": ["benchmark", "suppressed" if suppressed else "similar"],
            "suppressed": [False, suppressed],
        }
    )


def test_pcn_line_states_the_rate_when_shown() -> None:
    status = {"status": "not met", "text": "1 of 5 PCNs at or below the NWL average."}
    lines = text.key_messages(pm5(False), status, NO_PROGRAMMES, None, PARAMS).splitlines()
    assert "- Sphere PCN: 11.15 per 1,000, similar compared with Harrow." in lines


def test_pcn_line_says_suppressed_and_gives_no_number() -> None:
    status = {"status": "not met", "text": "1 of 5 PCNs at or below the NWL average."}
    message = text.key_messages(pm5(True), status, NO_PROGRAMMES, None, PARAMS)
    assert "- Sphere PCN: too few admissions to show (suppressed)." in message.splitlines()
    assert "nan" not in message
