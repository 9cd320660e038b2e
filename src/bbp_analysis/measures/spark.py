"""The measure SQL on Apache Spark (PySpark): the same files as :mod:`.engine`, transpiled
from DuckDB's dialect to Spark SQL with sqlglot.

Each table of the extract (Parquet, or CSV typed by the contract) becomes a temporary view;
the calendar tables (``fin_years``, ``months``, ``age_bands``) are the engine's own; the shared
relations (``sql/_*.sql``) are plain views, recomputed by each measure that reads them, as on
DuckDB: each measure then reads only the columns it needs, where a cache would hold every
person column for every year (``person_years``: 29 million rows for eight boroughs). Each
measure runs as the engine's two statements (finest cells, cached, then the roll-up to every
area level), both transpiled. Results are the engine's :data:`~.engine.OUTPUT_COLUMNS`, in the
same order, with the same types.

Settings (for ``local[2]`` on a shared 24 GB machine; each can be changed by environment):

- ``spark.driver.memory`` = ``$BBP_SPARK_DRIVER_MEMORY`` (default ``4g``): the JVM heap, set
  before the JVM starts (the builder passes it to spark-submit). In local mode the driver is
  also the executor, so this is all Spark's memory; with the JVM's own overhead the process
  stays under about 6 GB. Spark spills sorts and aggregations to ``spark.local.dir`` beyond it.
- ``spark.sql.autoBroadcastJoinThreshold`` = 1 MB when planning. Spark estimates a table's
  size from its compressed Parquet file, several times smaller than the table in memory, so
  the default 10 MB broadcast a whole ``persons`` table to every join and ran out of memory
  ("Not enough memory to build and broadcast the table"). At 1 MB only the calendar tables
  and the small survey tables are broadcast when planning (the range joins on ``fin_years``
  and ``months`` need a broadcast side); larger joins are sort-merge joins, turned into
  broadcast joins at run time by adaptive execution when the measured data is under
  ``spark.sql.adaptive.autoBroadcastJoinThreshold`` = 64 MB (a real size, not an estimate).
- ``spark.sql.shuffle.partitions`` = ``$BBP_SPARK_PARTITIONS`` (default 16): enough that one
  task of the largest join (programmes x person-years, 36 million rows for eight boroughs)
  sorts within its share of the heap; adaptive execution coalesces the small partitions of
  the smaller measures, so one borough does not pay for sixteen tasks per stage.
- ``persons`` is spread round-robin over two partitions per core as it is read
  (:data:`SPREAD_TABLES`; only the columns a measure reads are moved): its Parquet file is one
  row group, so one task read it and built every person-year of each measure on one core.
  Measured at Harrow, load 9-15, one JVM: ``registered_population`` 109 s -> 70 s,
  ``copd_emergency`` 53 s -> 25 s. Holding ``person_years`` in memory did not pay (151 s ->
  156 s, plus 90 s to build it once): the time is in the aggregation, not the join.
- Results come back only as the final aggregates, through Arrow (``DataFrame.toArrow``), and
  the calendar tables go in as Arrow tables: PySpark's pandas conversion is never used, so
  its warning that it "does not yet fully support pandas >= 3.0.0" does not apply; pyarrow
  converts the aggregates to pandas, and the equivalence test compares them with DuckDB's.
- The JVM's console logging is off (a failure reaches the user as one line naming the
  measure and the cause, :class:`~bbp_analysis.errors.BuildError`); no web UI.

The session comes from ``BBP_SPARK_MASTER`` (default ``local[2]``: two cores in this process's
JVM); point it at a cluster with e.g. ``spark://host:7077`` or ``yarn``. The extract folder
must then be readable at the same path by every executor (a shared file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import sqlglot

from .. import contract
from ..errors import BuildError, InputError
from ..extract import covered_periods, manifest_of
from . import engine

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import SparkSession

MASTER_ENV = "BBP_SPARK_MASTER"
PARTITIONS_ENV = "BBP_SPARK_PARTITIONS"
#: Tables spread over two partitions per core as they are read (see the module doc).
SPREAD_TABLES = ("persons",)
DRIVER_MEMORY_ENV = "BBP_SPARK_DRIVER_MEMORY"
DEFAULT_MASTER = "local[2]"
DEFAULT_PARTITIONS = "16"
DEFAULT_DRIVER_MEMORY = "4g"
PLAN_BROADCAST = str(1024 * 1024)  # bytes, as estimated from files (see module doc)
RUNTIME_BROADCAST = str(64 * 1024 * 1024)  # bytes, as measured by adaptive execution
#: Table Schema type -> Spark SQL type, for CSV tables.
SPARK_TYPES = {
    "string": "STRING",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}
#: The JVM's log configuration: nothing on the console (errors reach Python as exceptions).
#: (Spark installs its own noisy defaults when the root logger has no appender, hence one.)
LOG4J2 = """appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %m%n
rootLogger.level = off
rootLogger.appenderRef.console.ref = console
"""
#: PySpark warns that it does not fully support pandas 3 when ``pyspark.testing.utils`` is
#: first imported (its module-level version probe, loaded by Py4J's argument conversion).
#: This module never hands pandas to PySpark or takes pandas from it: the calendar tables go
#: in and the aggregates come out as Arrow tables, pyarrow converts them, and the slow test
#: compares every table with DuckDB's. The warning is silenced there, in :func:`session`.
PANDAS_WARNING = "PySpark does not yet fully support pandas"


def transpile(sql: str) -> str:
    """One DuckDB statement as Spark SQL (sqlglot)."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def _log_config() -> str:
    path = Path(tempfile.gettempdir(), "bbp-spark-log4j2.properties")
    if not path.is_file() or path.read_text(encoding="utf-8") != LOG4J2:
        path.write_text(LOG4J2, encoding="utf-8")
    return path.as_uri()


@cache
def session(master: str | None = None) -> SparkSession:
    """A Spark session (one per master per process) with the settings of the module doc:
    ``master`` or ``$BBP_SPARK_MASTER`` or ``local[2]``; UTC session time zone."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", PANDAS_WARNING, FutureWarning)
            import pyspark.testing.utils  # noqa: F401  (the version probe; see PANDAS_WARNING)
            from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "pyspark is not installed: add Spark with"
            " `scripts/in-venv --dev bbp build --engine spark` (installs requirements-dev.lock)",
            column="engine",
            rule="spark engine available",
        ) from exc
    from pyspark.errors import PySparkException

    builder = (
        SparkSession.builder.master(master or os.environ.get(MASTER_ENV, DEFAULT_MASTER))
        .appName("bbp-measures")
        .config("spark.driver.memory", os.environ.get(DRIVER_MEMORY_ENV, DEFAULT_DRIVER_MEMORY))
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_log_config()}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get(PARTITIONS_ENV, DEFAULT_PARTITIONS))
        .config("spark.sql.autoBroadcastJoinThreshold", PLAN_BROADCAST)
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.adaptive.autoBroadcastJoinThreshold", RUNTIME_BROADCAST)
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    try:
        spark = builder.getOrCreate()
    except PySparkException as exc:  # e.g. no Java runtime
        raise BuildError(f"Spark could not start: {_cause(exc)}") from exc
    spark.sparkContext.setLogLevel("OFF")
    return spark


def stop() -> None:
    """Stop the session :func:`session` started (its caches and shuffle files released)."""
    if session.cache_info().currsize:
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
        session.cache_clear()


def _arrow_frame(frame: pd.DataFrame) -> pa.Table:
    """A calendar table as Arrow, strings as ``string`` (not pandas 3's ``large_string``)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.cast(
        pa.schema(
            pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
            for f in table.schema
        )
    )


def register(spark: SparkSession, extract_dir: Path | str) -> None:
    """The extract's tables, the calendar tables and the shared views, as temporary views."""
    folder = Path(extract_dir)
    for name, path in engine.table_files(folder).items():
        if path.suffix == ".csv":  # typed by the contract, as on DuckDB
            types = ", ".join(
                f"`{f['name']}` {SPARK_TYPES[f['type']]}" for f in contract.load().fields(name)
            )
            reader = spark.read.schema(types).options(header=True, dateFormat="yyyy-MM-dd")
            frame = reader.csv(str(path.resolve()))
        else:
            frame = spark.read.parquet(str(path.resolve()))
        if name in SPREAD_TABLES:
            frame = frame.repartition(2 * spark.sparkContext.defaultParallelism)
        frame.createOrReplaceTempView(name)
    covered = covered_periods(manifest_of(folder))
    for name, calendar in engine.calendar_frames(covered).items():
        spark.createDataFrame(_arrow_frame(calendar)).createOrReplaceTempView(name)
    for name, query in engine.shared_views().items():
        spark.sql(transpile(query)).createOrReplaceTempView(name)


def _cause(exc: Exception) -> str:
    """The first line of a Spark or Py4J error: the JVM exception's class and message."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def run_measure_arrow(spark: SparkSession, name: str) -> pa.Table:
    """One measure's aggregates on Spark as Arrow (:data:`~.engine.OUTPUT_SCHEMA`), the views
    of :func:`register` in place. A Spark failure is a BuildError naming the measure."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    cells, rollup = engine.measure_sql(name)
    cell_frame = None
    try:
        cell_frame = spark.sql(transpile(cells)).cache()
        cell_frame.count()  # held once; the roll-up reads it for each area level
        cell_frame.createOrReplaceTempView("cells")
        table = spark.sql(transpile(rollup)).toArrow()
    except (PySparkException, Py4JError) as exc:
        raise BuildError(f"measure {name!r} failed on Spark: {_cause(exc)}") from exc
    finally:
        with contextlib.suppress(PySparkException, Py4JError):  # a stopped JVM: nothing held
            spark.catalog.dropTempView("cells")
            if cell_frame is not None:
                cell_frame.unpersist()
    return table.select(engine.OUTPUT_COLUMNS).cast(engine.OUTPUT_SCHEMA)


def run_measure(spark: SparkSession, name: str) -> pd.DataFrame:
    """One measure's aggregates on Spark as pandas (pyarrow's conversion)."""
    return run_measure_arrow(spark, name).to_pandas()


def iter_arrow(
    extract_dir: Path | str, master: str | None = None
) -> Iterator[tuple[str, pa.Table]]:
    """Every measure on Spark, one at a time: (measure file name, Arrow aggregates)."""
    spark = session(master)
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        register(spark, extract_dir)
    except (PySparkException, Py4JError) as exc:
        raise BuildError(f"Spark could not read the extract {extract_dir}: {_cause(exc)}") from exc
    for name in engine.list_measures():
        yield name, run_measure_arrow(spark, name)


def run_all(extract_dir: Path | str, master: str | None = None) -> dict[str, pd.DataFrame]:
    """Every measure on Spark: measure file name -> aggregate table (as
    :func:`.engine.run_all`)."""
    return {name: table.to_pandas() for name, table in iter_arrow(extract_dir, master)}
