"""Synthetic person-level extract shaped like the NW London WSIC linked dataset.

Deterministic, calibrated to the partnership plan's published figures (see
:mod:`.calibration`); labelled synthetic wherever it is shown. Entry point:
:func:`bbp_analysis.synth.generate.generate`.
"""

GENERATOR_VERSION = "1.2.0"
