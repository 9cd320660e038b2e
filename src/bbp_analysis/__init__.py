"""Harrow Borough Based Partnership Annual Review: the shared analysis package."""

__version__ = "0.1.0"
