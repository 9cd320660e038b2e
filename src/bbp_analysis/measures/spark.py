"""The measure SQL on Apache Spark (PySpark): the same files as :mod:`.engine`, transpiled
from DuckDB's dialect to Spark SQL with sqlglot.

Each table of the extract (Parquet, or CSV typed by the contract) becomes a temporary view;
the calendar tables (``fin_years``, ``months``, ``age_bands``) are the engine's own. The shared
relations (``sql/_*.sql``) are views; those in :data:`HELD_VIEWS`, the ones the engine
materializes (``population_cells``, read by twelve measures, ``emergency_spells``, read by
eleven, and ``practice_areas``, read by every roll-up by practice), are held in memory once per
registration, computed by the first measure that reads them.
``person_years`` stays a plain view recomputed by each reader, which then reads only the
columns it needs, where a cache would hold every person column for every year (29 million rows
for eight boroughs). Each measure runs as the engine's two statements (finest cells, cached,
then the roll-up to every area level), both transpiled. Spark inlines a CTE at every reference
and computes it again there, so a CTE the cells statement reads several times (the engine's
``fine_cells``, read once per breakdown) is first computed once and cached as a view
(:func:`hoist_shared`). Every relation held is held as one partition: an aggregation, join or
sort over a single partition needs no shuffle, so the GROUP BYs of a statement reading only
held relations (one per breakdown; the roll-up's one aggregation over every area level, then
its ORDER BY) run as one job of one stage, not a shuffle stage and an adaptive query stage
each. Measured at Harrow (load about 12, ``local[2]``), before: ``registered_population`` ran
62 Spark jobs (419 stages, 324 s wall, 130 JVM CPU s) and ``copd_emergency`` 50 jobs (316
stages, 148 s, 69 JVM CPU s); of the first measure's JVM CPU, 63 s went to the JIT compilers.
Results are the engine's :data:`~.engine.OUTPUT_COLUMNS`, in the same order, with the same
types.

Settings (for ``local[2]`` on a shared 24 GB machine; each can be changed by environment):

- ``spark.driver.memory`` = ``$BBP_SPARK_DRIVER_MEMORY`` (default ``4g``): the JVM heap, set
  before the JVM starts (the builder passes it to spark-submit). In local mode the driver is
  also the executor, so this is all Spark's memory; with the JVM's own overhead the process
  stays under about 6 GB. Spark spills sorts and aggregations to ``spark.local.dir`` beyond it.
- The JVM's garbage collector: ``$BBP_SPARK_JAVA_OPTIONS`` (default ``-XX:+UseParallelGC``,
  the throughput collector), added to the driver's Java options. The Java runtime's default
  collector here, G1, works beside the tasks (concurrent marking and refinement threads) on
  the same two cores. Measured over the full Harrow extract (every measure, ``local[2]``, an
  idle 2-core machine): G1 288.0 s wall and 531.9 CPU s; the parallel collector 205.9 s and
  368.2 CPU s, then 188.3 s and 342.5 CPU s; the serial collector 194.8 s and 345.5 CPU s,
  within the runs' spread of the parallel one, which also collects a large heap on both
  cores. Over the eight-borough extract (4.2 million persons, the same day): G1 1,682.1 s
  and 6,462 MB peak, the parallel collector 1,394.5 s and 6,305 MB. Whole-stage code
  generation stays on: without it, Harrow took 257.5 s.
- The JIT compiler, for an extract of at most :data:`ADAPTIVE_FROM_PERSONS` persons:
  :data:`SMALL_EXTRACT_JAVA_OPTIONS` is added to the default options (:func:`_java_options`;
  the extract's size is known when :func:`iter_arrow` starts the JVM). At one borough, more
  than half the JVM's CPU went to compiling (each statement's generated classes, compiled as
  they get hot): C2 compiles less when it inlines less, and when a method must be called about
  six times as often before C2 compiles it (the tier-4 thresholds; C1's compiled code runs it
  until then). Measured over the full Harrow extract (every measure, ``local[2]``, an idle
  2-core machine; the JVM's own compilation and thread CPU counters). 2026-12-04: by default
  127.1 s wall, 238.7 JVM CPU s (122.2 s compiling), then 127.4 s, 239.5 s (124.4 s); with
  the inlining limits 122.9 s, 217.6 s (95.1 s), then 118.5 s, 208.9 s (90.7 s). Tighter
  limits (``FreqInlineSize=50``, ``MaxInlineLevel=4``) compiled less (80.6 s) but ran the
  tasks slower (213.9 s in all); C2 alone saved nothing, nor did tier-4 thresholds three
  times the default (219.8 s). 2026-12-05, runs in turn: the inlining limits alone 233.0,
  223.7, 212.6, 208.7, 206.0 and 217.8 JVM CPU s (90 to 103 s compiling; 116.2 to 130.6 s
  wall); with the four tier-4 thresholds also about six times their defaults (as
  :data:`SMALL_EXTRACT_JAVA_OPTIONS` sets them) 197.1, 195.9 and 199.3 s (64 to 65 s
  compiling; 118.2 to 121.1 s wall); twelve times, 202.2 and 204.8 s, but 125.2 and
  126.7 s wall. The garbage collector took 5 to 6 s in every run. Larger extracts keep the JVM's
  defaults: their tasks run far longer than compilation, and they were not measured with
  these options.
- ``spark.sql.codegen.cache.maxEntries`` = :data:`CODEGEN_CACHE_ENTRIES` (Spark's default
  100): the code Spark generates for a stage is compiled to classes once per distinct source
  and kept in this cache, and a stage whose code is already there reuses its classes, which
  the JIT has often compiled already. The measures' statements generate far more than 100
  distinct sources, so the default cache evicted classes that later statements needed again.
  Measured over the full Harrow extract (every measure, ``local[2]``, an idle 2-core machine,
  2026-12-05; Spark's ``CodegenMetrics`` and the JVM's compilation counter), runs in turn: at
  100 entries 1,826 and 1,831 compilations, 67.7 and 66.7 s compiling in the JIT, 195.6 and
  196.9 machine CPU s, 120.5 and 121.8 s wall; with a cache large enough for every source,
  1,134 compilations both times, 60.3 and 60.5 s compiling, 180.8 and 181.0 CPU s, 112.7 and
  112.1 s wall. The classes kept take a few tens of MB of the JVM's metaspace.
- ``spark.sql.autoBroadcastJoinThreshold`` = 1 MB when planning. Spark estimates a table's
  size from its compressed Parquet file, several times smaller than the table in memory, so
  the default 10 MB broadcast a whole ``persons`` table to every join and ran out of memory
  ("Not enough memory to build and broadcast the table"). At 1 MB only the calendar tables
  and the small survey tables are broadcast when planning (the range joins on ``fin_years``
  and ``months`` need a broadcast side); larger joins are sort-merge joins, which adaptive
  execution (where it is on, below) turns into broadcast joins at run time when the measured
  data is under ``spark.sql.adaptive.autoBroadcastJoinThreshold`` = 64 MB (a real size, not an
  estimate).
- Adaptive execution (``spark.sql.adaptive.enabled``) only for extracts of more than
  :data:`ADAPTIVE_FROM_PERSONS` persons (:func:`adaptive`; set by :func:`register`). It plans
  each stage again once the stage before is measured; at one borough the extra stages and
  planning cost more than the broadcasts and coalesced partitions save. Measured over the
  full Harrow extract (every measure, ``local[2]``, an idle 2-core machine, 2026-12-04): with
  it 141.2 s wall and 264.5 JVM CPU s, then 134.9 s and 246.0 s; without it 113.5 s and
  209.2 s, then 114.9 s and 214.3 s, the tables identical to DuckDB's. The eight-borough
  extract keeps it (its time in the benchmark was measured with it, never without).
- ``spark.sql.shuffle.partitions`` = ``$BBP_SPARK_PARTITIONS``, else one per 250,000 persons
  in the extract, at least two per core (:func:`shuffle_partitions`; set by :func:`register`):
  4 for Harrow (442,611 persons), 17 for eight boroughs, where one task of the largest join
  (programmes x person-years, 36 million rows) must sort within its share of the heap.
  Adaptive execution, where on, coalesces small partitions. The statements that read only
  cached cells run with one partition per core (:func:`_partitions`).
- ``spark.sql.execution.sortBeforeRepartition`` = false: the round-robin spread of ``persons``
  (below) does not sort every row first. That sort only makes a retried task send the same
  rows to the same partitions; every sum here is exact (integers and DECIMALs), so the
  results do not depend on which partition a row lands in.
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
  measure and the cause, :class:`~bbp_analysis.errors.BuildError`), and what the JVM prints
  by itself goes to :func:`jvm_log` (removed as the process exits), so a build's log shows
  only its progress; no web UI;
  Spark SQL's catalogue folder is in the temporary folder, not the working directory.

The session comes from ``BBP_SPARK_MASTER`` (default ``local[2]``: two cores in this process's
JVM); point it at a cluster with e.g. ``spark://host:7077`` or ``yarn``. The extract folder
must then be readable at the same path by every executor (a shared file system).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp

from .. import contract
from ..errors import BuildError, InputError
from ..extract import covered_periods, manifest_of, persons_in
from . import engine

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MASTER_ENV = "BBP_SPARK_MASTER"
PARTITIONS_ENV = "BBP_SPARK_PARTITIONS"
#: Tables spread over two partitions per core as they are read (see the module doc).
SPREAD_TABLES = ("persons",)
#: Shared relations held in memory once per registration (see the module doc): the ones the
#: engine materializes.
HELD_VIEWS = tuple(engine.materialized())
DRIVER_MEMORY_ENV = "BBP_SPARK_DRIVER_MEMORY"
JAVA_OPTIONS_ENV = "BBP_SPARK_JAVA_OPTIONS"
DEFAULT_JAVA_OPTIONS = "-XX:+UseParallelGC"  # the collector (see the module doc)
#: Added for an extract of at most ADAPTIVE_FROM_PERSONS persons: C2 inlines less, and
#: compiles only methods about six times as hot as by default, so compiles less (module doc).
SMALL_EXTRACT_JAVA_OPTIONS = (
    "-XX:FreqInlineSize=100 -XX:MaxInlineLevel=6 -XX:Tier4InvocationThreshold=30000"
    " -XX:Tier4MinInvocationThreshold=4000 -XX:Tier4CompileThreshold=90000"
    " -XX:Tier4BackEdgeThreshold=240000"
)
DEFAULT_MASTER = "local[2]"
#: Spark SQL's catalogue folder, in the temporary folder: by default Spark makes an empty
#: ``spark-warehouse/`` in the working directory (the analyst's project) as views are created.
WAREHOUSE = "bbp-spark-warehouse"
PERSONS_PER_PARTITION = 250_000  # persons per shuffle partition of the large statements
ADAPTIVE_FROM_PERSONS = 1_000_000  # adaptive execution beyond this many persons (module doc)
DEFAULT_DRIVER_MEMORY = "4g"
PLAN_BROADCAST = str(1024 * 1024)  # bytes, as estimated from files (see module doc)
RUNTIME_BROADCAST = str(64 * 1024 * 1024)  # bytes, as measured by adaptive execution
CODEGEN_CACHE_ENTRIES = "4096"  # generated classes kept for reuse (see module doc)
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


@cache
def transpile(sql: str) -> str:
    """One DuckDB statement as Spark SQL (sqlglot; each distinct statement parsed once per
    process)."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def _reads(node: exp.Expression) -> list[str]:
    """The unqualified table names ``node`` reads (lower case, once per reference)."""
    return [t.name.lower() for t in node.find_all(exp.Table) if not t.db]


def _free_reads(cte: exp.CTE) -> set[str]:
    """The names a CTE's query reads that it does not define inside itself."""
    inner = {c.alias_or_name.lower() for c in cte.this.find_all(exp.CTE)}
    return set(_reads(cte.this)) - inner


def _shared_ctes(tree: exp.Expression, views: set[str]) -> list[tuple[exp.CTE, list[exp.CTE]]]:
    """The CTEs of ``tree`` that can be held as views in its place, in dependency order, each
    with the CTEs read only through it (carried along in its query): a CTE read more than
    once, defined once, not named like a view of :func:`register` (``views``; lower case),
    whose other CTEs are held before it or read only through it."""
    defined: dict[str, list[exp.CTE]] = {}
    for cte in tree.find_all(exp.CTE):
        defined.setdefault(cte.alias_or_name.lower(), []).append(cte)
    reads: dict[str, int] = {}
    for name in _reads(tree):
        reads[name] = reads.get(name, 0) + 1
    unique = {name: ctes[0] for name, ctes in defined.items() if len(ctes) == 1}

    def carried(cte: exp.CTE, held: set[str]) -> list[str] | None:
        """The CTEs read only through ``cte`` (closure), or None when another is not held."""
        closure: list[str] = []
        pending = sorted((_free_reads(cte) & set(defined)) - held)
        while pending:
            name = pending.pop()
            if name in closure:
                continue
            if name not in unique:
                return None
            closure.append(name)
            pending.extend((_free_reads(unique[name]) & set(defined)) - held)
        inside = [cte, *(unique[n] for n in closure)]
        within = sum(n in closure for c in inside for n in _reads(c.this))
        return closure if all(reads[n] == 1 for n in closure) and within == len(closure) else None

    candidates = [
        name for name, cte in unique.items() if reads.get(name, 0) > 1 and name not in views
    ]
    held: dict[str, tuple[exp.CTE, list[exp.CTE]]] = {}
    while True:  # each pass holds the CTEs whose other CTEs are held already or carried
        ready = {}
        for name in candidates:
            waits = (set(_reads(unique[name].this)) & set(candidates)) - set(held)
            closure = None if name in held or waits else carried(unique[name], set(held))
            if closure is not None:
                order = [c for c in defined if c in closure]  # the statement's own order
                ready[name] = (unique[name], [unique[c] for c in order])
        if not ready:
            return list(held.values())
        held.update(ready)


def hoist_shared(sql: str, views: set[str]) -> tuple[list[tuple[str, str]], str]:
    """Spark SQL ``sql`` with each CTE it reads several times (:func:`_shared_ctes`) taken
    out: (``[(view name, query), ...]`` in dependency order, the statement reading those
    views). Spark inlines a CTE at each reference and recomputes it there (no exchange
    reuse across the differing filters): the engine's ``fine_cells`` is read once per
    breakdown, so each measure's unit rows were aggregated six to eight times. Held once as
    a cached view, they are aggregated once. Names are ``hoisted_<cte>``."""
    tree = sqlglot.parse_one(sql, read="spark")
    held = _shared_ctes(tree, views)
    if not held:
        return [], sql
    names = {c.alias_or_name.lower(): f"hoisted_{c.alias_or_name.lower()}" for c, _ in held}
    for table in tree.find_all(exp.Table):
        if not table.db and table.name.lower() in names:
            table.set("this", exp.to_identifier(names[table.name.lower()]))
    for node in (n for cte, carried in held for n in (cte, *carried)):
        clause = node.parent  # (a held CTE may sit inside another's query: taken out first)
        node.pop()
        if isinstance(clause, exp.With) and not clause.expressions:
            clause.pop()
    queries = []
    for cte, carried in held:
        query = cte.this
        if carried:
            query.set("with_", exp.With(expressions=carried))
        queries.append((names[cte.alias_or_name.lower()], query.sql(dialect="spark")))
    return queries, tree.sql(dialect="spark")


def _log_config() -> str:
    path = Path(tempfile.gettempdir(), "bbp-spark-log4j2.properties")
    if not path.is_file() or path.read_text(encoding="utf-8") != LOG4J2:
        path.write_text(LOG4J2, encoding="utf-8")
    return path.as_uri()


def _java_options(persons: int | None = None) -> str:
    """The driver JVM's options: the log configuration and ``$BBP_SPARK_JAVA_OPTIONS``, else
    :data:`DEFAULT_JAVA_OPTIONS`, with :data:`SMALL_EXTRACT_JAVA_OPTIONS` for an extract of
    ``persons`` persons, at most :data:`ADAPTIVE_FROM_PERSONS` (None: not known)."""
    chosen = os.environ.get(JAVA_OPTIONS_ENV)
    if chosen is None:
        chosen = DEFAULT_JAVA_OPTIONS
        if persons is not None and persons <= ADAPTIVE_FROM_PERSONS:
            chosen = f"{chosen} {SMALL_EXTRACT_JAVA_OPTIONS}"
    return f"-Dlog4j2.configurationFile={_log_config()} {chosen}".strip()


def jvm_log() -> Path:
    """Where this process's Spark JVM writes its console (a file in the temporary folder,
    removed when the process exits if the JVM started; kept, and named in the error, if it
    did not)."""
    return Path(tempfile.gettempdir(), f"bbp-spark-jvm-{os.getpid()}.log")


@contextlib.contextmanager
def _console_to(path: Path) -> Iterator[None]:
    """This process's standard error (file descriptor 2) is ``path`` while the block runs:
    the JVM started in it inherits that descriptor, so what it prints by itself (the Java
    runtime's "Using incubator modules", Spark's "Setting default log level", which the log
    configuration does not reach) goes to the file for the JVM's life, not to the build log.
    Python's standard error is back as it was afterwards."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with path.open("wb") as file:
            os.dup2(file.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def session(master: str | None = None, persons: int | None = None) -> SparkSession:
    """A Spark session (one JVM per process) with the settings of the module doc: ``master``
    or ``$BBP_SPARK_MASTER`` or ``local[2]``; UTC session time zone. ``persons``, the size
    of the extract it will read, chooses the JVM's options (:func:`_java_options`) when this
    call starts the JVM."""
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
        .config("spark.driver.extraJavaOptions", _java_options(persons))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", Path(tempfile.gettempdir(), WAREHOUSE).as_uri())
        .config("spark.sql.autoBroadcastJoinThreshold", PLAN_BROADCAST)
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.adaptive.autoBroadcastJoinThreshold", RUNTIME_BROADCAST)
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.execution.sortBeforeRepartition", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.codegen.cache.maxEntries", CODEGEN_CACHE_ENTRIES)
    )
    log = jvm_log()
    try:
        with _console_to(log):
            spark = builder.getOrCreate()
    except PySparkException as exc:  # e.g. no Java runtime
        raise BuildError(f"Spark could not start: {_cause(exc)} (the JVM's output: {log})") from exc
    atexit.register(log.unlink, missing_ok=True)
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
    """The extract's tables, the calendar tables and the shared views, as temporary views; a
    shared view Spark cannot resolve (a column missing from the extract) is a one-line
    BuildError naming it and the cause."""
    folder = Path(extract_dir)
    spark.catalog.clearCache()  # the views held for an extract registered before
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
    manifest = manifest_of(folder)
    spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions(spark, manifest)))
    spark.conf.set("spark.sql.adaptive.enabled", str(adaptive(manifest)).lower())
    covered = covered_periods(manifest)
    for name, calendar in engine.calendar_frames(covered).items():
        spark.createDataFrame(_arrow_frame(calendar)).createOrReplaceTempView(name)
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    for name, query in engine.shared_views().items():
        try:  # Spark resolves a view's columns when it is created
            frame = spark.sql(transpile(query))
        except (PySparkException, Py4JError) as exc:
            raise BuildError(f"shared relation {name!r} failed on Spark: {_cause(exc)}") from None
        if name in HELD_VIEWS:
            frame = _held(frame)  # computed by the first reader, then kept
        frame.createOrReplaceTempView(name)


def _held(frame: DataFrame) -> DataFrame:
    """``frame`` to be held in memory as one partition (see the module doc: statements over
    it then need no shuffle)."""
    return frame.coalesce(1).cache()


def shuffle_partitions(spark: SparkSession, manifest: dict[str, Any]) -> int:
    """Shuffle partitions for an extract: ``$BBP_SPARK_PARTITIONS``, else one per
    :data:`PERSONS_PER_PARTITION` persons (the manifest's row count), at least two per core."""
    if os.environ.get(PARTITIONS_ENV):
        return int(os.environ[PARTITIONS_ENV])
    rows = persons_in(manifest)
    return max(2 * spark.sparkContext.defaultParallelism, -(-rows // PERSONS_PER_PARTITION))


def adaptive(manifest: dict[str, Any]) -> bool:
    """Whether adaptive execution pays for an extract: more than
    :data:`ADAPTIVE_FROM_PERSONS` persons (the manifest's row count)."""
    return persons_in(manifest) > ADAPTIVE_FROM_PERSONS


def _cause(exc: Exception) -> str:
    """The first line of a Spark or Py4J error: the JVM exception's class and message."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


@contextlib.contextmanager
def _partitions(spark: SparkSession, query: str, held: set[str]) -> Iterator[None]:
    """Shuffle partitions = cores while ``query`` runs when it reads only the cached views
    ``held`` (the small cells), else the session's. Each stage of these statements sums a
    few thousand cells; at sixteen partitions its fixed cost per task dominated (at Harrow,
    load 12, ``copd_emergency``: cells 61 s -> 25 s, roll-up 41 s -> 19 s at four)."""
    if not held or not set(_reads(sqlglot.parse_one(query, read="spark"))) <= held:
        yield
        return
    key = "spark.sql.shuffle.partitions"
    before = spark.conf.get(key)
    spark.conf.set(key, str(spark.sparkContext.defaultParallelism))
    try:
        yield
    finally:
        spark.conf.set(key, before)


def run_measure_arrow(spark: SparkSession, name: str) -> pa.Table:
    """One measure's aggregates on Spark as Arrow (:data:`~.engine.OUTPUT_SCHEMA`), the views
    of :func:`register` in place. A Spark failure is a BuildError naming the measure."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    cells, rollup = engine.measure_sql(name)
    held: list[tuple[str, DataFrame]] = []
    try:
        views = {t.name.lower() for t in spark.catalog.listTables()}
        shared, cells_sql = hoist_shared(transpile(cells), views)
        for view, query in [*shared, ("cells", cells_sql)]:
            with _partitions(spark, query, {v for v, _ in held}):
                frame = _held(spark.sql(query))
                held.append((view, frame))
                frame.count()  # held once; the statements after it read it several times
            frame.createOrReplaceTempView(view)
        with _partitions(spark, rollup, {"cells", *HELD_VIEWS}):
            table = spark.sql(transpile(rollup)).toArrow()
    except (PySparkException, Py4JError) as exc:
        raise BuildError(f"measure {name!r} failed on Spark: {_cause(exc)}") from exc
    finally:
        with contextlib.suppress(PySparkException, Py4JError):  # a stopped JVM: nothing held
            for view, frame in held:
                spark.catalog.dropTempView(view)
                frame.unpersist()
    return table.select(engine.OUTPUT_COLUMNS).cast(engine.OUTPUT_SCHEMA)


def run_measure(spark: SparkSession, name: str) -> pd.DataFrame:
    """One measure's aggregates on Spark as pandas (pyarrow's conversion)."""
    return run_measure_arrow(spark, name).to_pandas()


def iter_arrow(
    extract_dir: Path | str, master: str | None = None
) -> Iterator[tuple[str, pa.Table]]:
    """Every measure on Spark, one at a time: (measure file name, Arrow aggregates)."""
    spark = session(master, persons_in(manifest_of(Path(extract_dir))))
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
