"""Quantiles and tail areas of the standard normal and chi-squared distributions.

Each is the :mod:`scipy.special` function that :mod:`scipy.stats` itself evaluates for
``norm.ppf``, ``chi2.ppf`` and ``chi2.sf`` (scipy 1.16), so the values are the same to the
last bit for valid arguments; importing :mod:`scipy.stats` instead took about half a second of
CPU, paid by every ``bbp`` command that writes or judges an edition.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def normal_quantile(p: float | np.ndarray) -> float | np.ndarray:
    """The standard normal quantile (inverse CDF) at probability ``p``, e.g. 1.959964 at
    0.975: ``scipy.stats.norm.ppf``, which is ``scipy.special.ndtri``."""
    return special.ndtri(p)


def chi2_quantile(p: float | np.ndarray, df: float | np.ndarray) -> float | np.ndarray:
    """The chi-squared quantile at probability ``p`` with ``df`` degrees of freedom, e.g.
    3.841459 at 0.95 with 1: ``scipy.stats.chi2.ppf``, which is twice the inverse regularised
    lower incomplete gamma function at ``df / 2``. NaN where ``df`` is 0."""
    return 2 * special.gammaincinv(np.divide(df, 2), p)


def chi2_upper_tail(x: float | np.ndarray, df: float | np.ndarray) -> float | np.ndarray:
    """The chi-squared upper-tail probability P(X > ``x``) with ``df`` degrees of freedom:
    ``scipy.stats.chi2.sf``, which is ``scipy.special.chdtrc``."""
    return special.chdtrc(df, x)
