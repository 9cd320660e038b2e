"""Indicator measures: SQL over the extract's Parquet files, run on DuckDB.

Only aggregates (numerator and denominator per measure, period, area and breakdown) leave
the database. See :mod:`.engine`.
"""

from .engine import describe_measures, list_measures, run_all, run_measure

__all__ = ["describe_measures", "list_measures", "run_all", "run_measure"]
