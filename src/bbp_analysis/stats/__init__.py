"""Official public-health indicator methods, vectorised over pandas and numpy.

Implements the methods of PHEindicatormethods 2.1.0 (proportions, rates, DSRs, ISRs, funnels,
SII, life expectancy) and NHSRplotthedots 0.2.2 (XmR SPC with the Making Data Count rules),
the Fingertips benchmark and recent-trend comparisons, and regression helpers (interrupted
time series, rate ratios). Bad arguments raise ``StatsInputError`` (a ``ValueError``).
"""

from bbp_analysis.stats._checks import StatsInputError
from bbp_analysis.stats.compare import compare, recent_trend
from bbp_analysis.stats.funnels import (
    funnel_limits,
    funnel_limits_overdispersed,
    funnel_plot_points,
    funnel_significance,
)
from bbp_analysis.stats.inequality import sii
from bbp_analysis.stats.life_expectancy import life_expectancy
from bbp_analysis.stats.proportions import proportion
from bbp_analysis.stats.rates import rate
from bbp_analysis.stats.regression import ITSResult, its, rate_ratio
from bbp_analysis.stats.spc import baseline_spc, spc
from bbp_analysis.stats.standardised import (
    Heterogeneity,
    dsr,
    esp2013,
    isr,
    ratio_heterogeneity,
)

__all__ = [
    "Heterogeneity",
    "ITSResult",
    "StatsInputError",
    "baseline_spc",
    "compare",
    "dsr",
    "esp2013",
    "funnel_limits",
    "funnel_limits_overdispersed",
    "funnel_plot_points",
    "funnel_significance",
    "isr",
    "its",
    "life_expectancy",
    "proportion",
    "rate",
    "rate_ratio",
    "ratio_heterogeneity",
    "recent_trend",
    "sii",
    "spc",
]
