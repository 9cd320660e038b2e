"""The normal and chi-squared quantiles and tail areas (``bbp_analysis.stats.quantiles``): the
values scipy.stats gives, to the last bit, and the printed tables' values; and the edition
steps of a build no longer import scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from bbp_analysis.stats.quantiles import chi2_quantile, chi2_upper_tail, normal_quantile

PROBABILITIES = np.array(
    [0.0, 1e-9, 0.001, 0.0013499, 0.025, 0.05, 0.5, 0.9, 0.95, 0.975, 0.998, 0.999, 1.0]
)
DEGREES = np.array([1.0, 2, 3, 4, 7.5, 20, 200, 2000])


def test_the_same_values_as_scipy_stats() -> None:
    assert np.array_equal(normal_quantile(PROBABILITIES), stats.norm.ppf(PROBABILITIES))
    p, df = np.meshgrid(PROBABILITIES, DEGREES)
    assert np.array_equal(chi2_quantile(p, df), stats.chi2.ppf(p, df))
    x = np.array([0.0, 0.1, 1.0, 3.841458820694124, 10.0, 100.0, 5000.0])
    xx, df = np.meshgrid(x, DEGREES)
    assert np.array_equal(chi2_upper_tail(xx, df), stats.chi2.sf(xx, df))
    assert np.isnan(chi2_quantile(0.025, 0))  # an exact interval for 0 events is handled apart


@pytest.mark.parametrize(
    ("p", "z"), [(0.975, 1.959964), (0.95, 1.644854), (0.999, 3.090232), (0.5, 0.0)]
)
def test_normal_quantiles_of_the_printed_tables(p: float, z: float) -> None:
    assert normal_quantile(p) == pytest.approx(z, abs=5e-7)


@pytest.mark.parametrize(
    ("p", "df", "x"),
    [(0.95, 1, 3.841459), (0.95, 2, 5.991465), (0.99, 4, 13.276704), (0.025, 20, 9.590777)],
)
def test_chi_squared_quantiles_and_tails_of_the_printed_tables(p, df, x) -> None:
    assert chi2_quantile(p, df) == pytest.approx(x, abs=5e-7)
    assert chi2_upper_tail(x, df) == pytest.approx(1 - p, abs=1e-7)


def test_a_builds_edition_steps_do_not_import_scipy_stats() -> None:
    probe = (
        "import sys, bbp_analysis.pipeline as p, bbp_analysis.stats\n"
        "p.import_edition_steps()\nprint('scipy.stats' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
