"""The statsmodels model classes the package fits, imported from their own modules.

``statsmodels.api`` imports the whole library (formulas, time series, graphics, ...): after
SciPy, importing it took 0.31-0.33 CPU s here, and these four modules 0.07-0.08 CPU s
(Python 3.11, statsmodels 0.15, a 2-core machine). Every build's kernel server imports them
(:data:`bbp_analysis.kernel_server.LIBRARIES`). The classes are the ones ``statsmodels.api``
names ``OLS``, ``GLM``, ``NegativeBinomial`` and ``families``.
"""

from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS

__all__ = ["GLM", "OLS", "NegativeBinomial", "families"]
