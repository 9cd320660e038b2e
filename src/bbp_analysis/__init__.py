"""Borough Based Partnership Annual Review: the shared analysis package (the area and period
come from the run parameters)."""

__version__ = "0.1.0"
