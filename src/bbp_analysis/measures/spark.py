"""The measure SQL on Apache Spark (PySpark): the same files as :mod:`.engine`, transpiled
from DuckDB's dialect to Spark SQL with sqlglot.

Each table of the extract (Parquet, or CSV typed by the contract) becomes a temporary view;
the calendar tables (``fin_years``, ``months``, ``age_bands``) are the engine's own; the shared
relations (``sql/_*.sql``) are cached views; each measure runs as the engine's two statements
(finest cells, then the roll-up to every area level), both transpiled. Results are the engine's
:data:`~.engine.OUTPUT_COLUMNS`, in the same order, with the same types.

The session comes from ``BBP_SPARK_MASTER`` (default ``local[2]``: two cores in this process's
JVM); point it at a cluster with e.g. ``spark://host:7077`` or ``yarn``. The extract folder
must then be readable at the same path by every executor (a shared file system).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import sqlglot

from .. import contract
from ..errors import InputError
from ..extract import covered_periods, manifest_of
from . import engine

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER_ENV = "BBP_SPARK_MASTER"
PARTITIONS_ENV = "BBP_SPARK_PARTITIONS"  # shuffle partitions: ~2-3 per core of the cluster
DEFAULT_MASTER = "local[2]"
#: Table Schema type -> Spark SQL type, for CSV tables.
SPARK_TYPES = {
    "string": "STRING",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}


def transpile(sql: str) -> str:
    """One DuckDB statement as Spark SQL (sqlglot)."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


@cache
def session(master: str | None = None) -> SparkSession:
    """A Spark session (one per master per process): ``master`` or ``$BBP_SPARK_MASTER`` or
    ``local[2]``; UTC session time zone, ``$BBP_SPARK_PARTITIONS`` (default 4) shuffle
    partitions, no web UI, warnings only."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "pyspark is not installed: add Spark with"
            " `scripts/in-venv --dev bbp build --engine spark` (installs requirements-dev.lock)",
            column="engine",
            rule="spark engine available",
        ) from exc
    spark = (
        SparkSession.builder.master(master or os.environ.get(MASTER_ENV, DEFAULT_MASTER))
        .appName("bbp-measures")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get(PARTITIONS_ENV, "4"))
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
        frame.createOrReplaceTempView(name)
    covered = covered_periods(manifest_of(folder))
    for name, frame in engine.calendar_frames(covered).items():
        spark.createDataFrame(frame).createOrReplaceTempView(name)
    for name, query in engine.shared_views().items():  # cached: read by most measures
        spark.sql(transpile(query)).cache().createOrReplaceTempView(name)


def run_measure(spark: SparkSession, name: str) -> pd.DataFrame:
    """One measure's aggregates on Spark (the views of :func:`register` in place)."""
    cells, rollup = engine.measure_sql(name)
    cell_frame = spark.sql(transpile(cells)).cache()
    cell_frame.createOrReplaceTempView("cells")
    try:
        frame = spark.sql(transpile(rollup)).toPandas()[engine.OUTPUT_COLUMNS]
    finally:
        spark.catalog.dropTempView("cells")
        cell_frame.unpersist()
    return pa.Table.from_pandas(
        frame, schema=engine.OUTPUT_SCHEMA, preserve_index=False
    ).to_pandas()


def run_all(extract_dir: Path | str, master: str | None = None) -> dict[str, pd.DataFrame]:
    """Every measure on Spark: measure file name -> aggregate table (as
    :func:`.engine.run_all`)."""
    spark = session(master)
    register(spark, extract_dir)
    return {name: run_measure(spark, name) for name in engine.list_measures()}
