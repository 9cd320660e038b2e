"""Synthetic person-level extract shaped like the NW London WSIC linked dataset.

Deterministic, calibrated to the partnership plan's published figures (see
:mod:`.calibration`); labelled synthetic wherever it is shown. Entry point:
:func:`bbp_analysis.synth.generate.generate`.
"""

GENERATOR_VERSION = "1.3.0"
"""1.3.0: an extract of several boroughs is drawn one borough at a time (its own random stream
and block of person numbers per borough), so its people differ from 1.2.0's; a one-borough
extract (Harrow) is byte-for-byte 1.2.0's."""
