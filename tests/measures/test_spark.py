"""Every measure on Spark (local mode) over the full default Harrow extract (scale 1, about
442,600 people) gives the same table as on DuckDB; a Spark failure is one line naming the
measure and the cause."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bbp_analysis.errors import BBPError, BuildError
from bbp_analysis.extract import manifest_of, measures_cache
from bbp_analysis.measures import engine, spark

from support import ROOT, tables_by_measure

pytestmark = pytest.mark.slow

# The JIT's settings for an extract of one borough (spark.SMALL_EXTRACT_JAVA_OPTIONS).
SMALL_EXTRACT_FLAGS = {
    "FreqInlineSize": "100",
    "MaxInlineLevel": "6",
    "Tier4InvocationThreshold": "30000",
    "Tier4MinInvocationThreshold": "4000",
    "Tier4CompileThreshold": "90000",
    "Tier4BackEdgeThreshold": "240000",
}
SMALL_EXTRACT = " ".join(f"-XX:{name}={value}" for name, value in SMALL_EXTRACT_FLAGS.items())


def jvm_flags(names: list[str]) -> dict[str, str]:
    """This process's Spark JVM's values of the HotSpot flags ``names``."""
    jvm = spark.session("local[2]")._jvm
    diagnostic = jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    bean = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(diagnostic)
    return {name: str(bean.getVMOption(name).getValue()) for name in names}


@pytest.fixture(scope="module")
def harrow(repository_extract: Path) -> Path:
    """The repository's default extract, with its measures aggregated on DuckDB and cached
    (the session's shared data, made once by whichever test needs it first)."""
    assert pq.ParquetFile(repository_extract / "persons.parquet").metadata.num_rows > 400_000
    return repository_extract


@pytest.fixture(scope="module")
def spark_run(harrow: Path) -> tuple[dict[str, pd.DataFrame], list[warnings.WarningMessage]]:
    """All measures on Spark, with the warnings raised while they ran."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables = spark.run_all(harrow, master="local[2]")
    return tables, caught


@pytest.fixture(scope="module")
def on_spark(spark_run) -> dict[str, pd.DataFrame]:
    return spark_run[0]


@pytest.fixture(scope="module")
def on_duckdb(harrow: Path) -> dict[str, pd.DataFrame]:
    """DuckDB's tables as every build reads them: the extract's measure cache (written by
    ``engine.write_all``), one table per measure file."""
    return tables_by_measure(measures_cache(manifest_of(harrow), ROOT))


def test_every_measure_file_runs_on_spark(on_spark):
    assert sorted(on_spark) == engine.list_measures()


@pytest.mark.parametrize("name", engine.list_measures())
def test_spark_table_identical_to_duckdb(name, on_spark, on_duckdb):
    """Same rows, order, labels, types and values, exactly: every contribution is an integer
    or a DECIMAL (test_exact_sums.py), whose sums do not depend on the order either engine
    adds them in."""
    assert len(on_duckdb[name]) > 0
    pd.testing.assert_frame_equal(on_spark[name], on_duckdb[name], check_exact=True)


def test_no_pandas_conversion_warning(spark_run):
    """Results come back through Arrow, never PySpark's pandas conversion (which warns that
    it does not fully support pandas 3)."""
    messages = [str(w.message) for w in spark_run[1]]
    assert not [m for m in messages if "pandas" in m], messages


def _without_column(harrow: Path, folder: Path, table: str, column: str) -> None:
    """The Harrow extract in ``folder`` with ``column`` dropped from ``table``."""
    for path in harrow.iterdir():
        if path.name != f"{table}.parquet":
            (folder / path.name).symlink_to(path)
    frame = pq.read_table(harrow / f"{table}.parquet")
    pq.write_table(frame.drop_columns([column]), folder / f"{table}.parquet")


def test_spark_failure_is_one_line_naming_measure_and_cause(harrow: Path, tmp_path: Path):
    """A table without a column a measure reads: the measure fails with one line naming it
    and Spark's cause, as a BBPError (the command line prints it and exits 2)."""
    _without_column(harrow, tmp_path, "gpps_responses", "appointment_experience")
    session = spark.session("local[2]")
    spark.register(session, tmp_path)
    try:
        with pytest.raises(BuildError) as caught:
            spark.run_measure_arrow(session, "gpps_access")
    finally:
        spark.register(session, harrow)
    message = str(caught.value)
    assert isinstance(caught.value, BBPError)
    assert "\n" not in message
    assert message.startswith("measure 'gpps_access' failed on Spark: ")
    assert "appointment_experience" in message.removeprefix(
        "measure 'gpps_access' failed on Spark: "
    )
    assert "UNRESOLVED_COLUMN" in message


def test_shared_view_failure_is_one_line_naming_it_and_cause(harrow: Path, tmp_path: Path):
    """``persons`` without ``carer``, which the shared ``population_cells`` counts: registering
    the extract fails with one line naming that relation and Spark's cause."""
    _without_column(harrow, tmp_path, "persons", "carer")
    session = spark.session("local[2]")
    try:
        with pytest.raises(BuildError) as caught:
            spark.register(session, tmp_path)
    finally:
        spark.register(session, harrow)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("shared relation 'population_cells' failed on Spark: ")
    assert "carer" in message and "UNRESOLVED_COLUMN" in message


QUIET_RUN = """
import sys
from bbp_analysis.measures import spark
session = spark.session("local[1]")
spark.register(session, sys.argv[1])
print(spark.run_measure_arrow(session, "workforce").num_rows)
spark.stop()
print(spark.jvm_log())
print(spark.jvm_log().read_text(encoding="utf-8"))
"""


def test_a_spark_run_prints_nothing_and_leaves_nothing_behind(harrow: Path, tmp_path: Path):
    """A session started, an extract registered and a measure run (the smallest,
    ``workforce``), in a fresh process: its standard error stays empty (the JVM's own notices
    are in its log file instead, removed when the process ends) and no ``spark-warehouse``
    folder appears in the working directory. The JVM compiles with C1 only (the JIT is not
    what this tests; the log configuration is given whatever ``$BBP_SPARK_JAVA_OPTIONS``
    says): for one small measure that took 12.7 JVM CPU s, against 21.4 s with C2 too."""
    run = subprocess.run(
        [sys.executable, "-c", QUIET_RUN, str(harrow)],
        cwd=tmp_path,
        env={**os.environ, spark.JAVA_OPTIONS_ENV: "-XX:+UseParallelGC -XX:TieredStopAtLevel=1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr == ""
    rows, log_path, log = run.stdout.split("\n", 2)
    assert int(rows) > 0
    assert "Setting default log level" in log
    assert not Path(log_path).exists()
    assert list(tmp_path.iterdir()) == []


def test_transpiled_sql_is_spark_dialect():
    cells, _ = engine.measure_sql("readmissions_30d")
    spark_sql = spark.transpile(cells)
    assert "INTERVAL '30' DAY" in spark_sql or "INTERVAL 30 DAY" in spark_sql.upper()
    assert "GROUPING SETS" in spark_sql
    assert spark.transpile("SELECT CAST(x AS VARCHAR) FROM t") == "SELECT CAST(x AS STRING) FROM t"


def test_settings_fit_a_shared_machine():
    """The session's memory, broadcast, generated-code cache and garbage collector settings
    are the module's, not Spark's or the Java runtime's defaults: the JVM collects with the
    parallel collector (its collectors' names), not G1."""
    session = spark.session("local[2]")
    conf = session.sparkContext.getConf()
    assert conf.get("spark.driver.memory") == spark.DEFAULT_DRIVER_MEMORY
    assert conf.get("spark.sql.autoBroadcastJoinThreshold") == str(1024 * 1024)
    assert conf.get("spark.sql.adaptive.autoBroadcastJoinThreshold") == str(64 * 1024 * 1024)
    assert conf.get("spark.sql.codegen.cache.maxEntries") == "4096"
    beans = session._jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
    assert sorted(str(bean.getName()) for bean in beans) == ["PS MarkSweep", "PS Scavenge"]


def test_java_options_name_the_log_configuration_and_the_chosen_collector(
    monkeypatch: pytest.MonkeyPatch,
):
    """The collector always; C2's inlining limits and tier-4 thresholds only for an extract
    of at most a million persons (one borough, not eight); the environment's options in
    place of both."""
    monkeypatch.delenv(spark.JAVA_OPTIONS_ENV, raising=False)
    default = spark._java_options()
    assert default.startswith("-Dlog4j2.configurationFile=file:")
    assert default.endswith(" -XX:+UseParallelGC")
    limits = f" -XX:+UseParallelGC {SMALL_EXTRACT}"
    assert spark._java_options(442_611).endswith(limits)
    assert spark._java_options(1_000_000).endswith(limits)
    assert spark._java_options(1_000_001).endswith(" -XX:+UseParallelGC")
    assert spark._java_options(4_169_315).endswith(" -XX:+UseParallelGC")
    monkeypatch.setenv(spark.JAVA_OPTIONS_ENV, "-XX:+UseSerialGC -Xss4m")
    for persons in (None, 442_611):
        assert spark._java_options(persons).endswith(" -XX:+UseSerialGC -Xss4m")
        assert "UseParallelGC" not in spark._java_options(persons)
        assert "FreqInlineSize" not in spark._java_options(persons)


def test_the_harrow_run_started_its_jvm_with_the_jit_settings_of_one_borough(spark_run):
    """The equivalence run (every measure over Harrow's 442,611 persons) started this
    process's JVM, sized for its extract: the JVM runs with those flag values (read from the
    JVM itself: Spark starts it with ``-XX:+IgnoreUnrecognizedVMOptions``, which would drop a
    misspelt flag without a word)."""
    options = spark.session("local[2]").sparkContext.getConf().get("spark.driver.extraJavaOptions")
    assert options.endswith(f" -XX:+UseParallelGC {SMALL_EXTRACT}")
    assert jvm_flags(list(SMALL_EXTRACT_FLAGS)) == SMALL_EXTRACT_FLAGS


def test_persons_read_in_two_partitions_per_core(harrow: Path):
    """``persons`` (one Parquet row group) is spread over two partitions per core as it is
    read, so the person-years are built on both cores; the equivalence test runs through it."""
    session = spark.session("local[2]")
    spark.register(session, harrow)
    assert session.table("persons").rdd.getNumPartitions() == 4
    plan = session.table("person_years")._jdf.queryExecution().optimizedPlan().toString()
    assert "Repartition 4, true" in plan


def test_shared_relations_held_once_per_registration(harrow: Path):
    """``emergency_spells``, ``population_cells`` and ``practice_areas`` are held in memory as
    one partition each (the relations many measures read); ``person_years`` stays a view.
    Registering again releases what the registration before held."""
    session = spark.session("local[2]")
    spark.register(session, harrow)
    assert spark.HELD_VIEWS == ("emergency_spells", "population_cells", "practice_areas")
    for name in spark.HELD_VIEWS:
        assert session.catalog.isCached(name)
        assert session.table(name).rdd.getNumPartitions() == 1
    assert not session.catalog.isCached("person_years")


def test_shuffle_partitions_follow_the_extract_size(monkeypatch: pytest.MonkeyPatch):
    """Two per core for one borough (442,611 persons), one per 250,000 persons for eight."""
    monkeypatch.delenv(spark.PARTITIONS_ENV, raising=False)
    session = spark.session("local[2]")
    assert spark.shuffle_partitions(session, {"tables": {"persons": {"rows": 442_611}}}) == 4
    assert spark.shuffle_partitions(session, {"tables": {"persons": {"rows": 4_169_315}}}) == 17


def test_adaptive_execution_only_beyond_one_borough(harrow: Path):
    """Off for one borough (442,611 persons: its extra planning costs more than it saves), on
    for eight (4,169,315); the registration of an extract sets it."""
    assert not spark.adaptive({"tables": {"persons": {"rows": 442_611}}})
    assert spark.adaptive({"tables": {"persons": {"rows": 4_169_315}}})
    session = spark.session("local[2]")
    spark.register(session, harrow)
    assert session.conf.get("spark.sql.adaptive.enabled") == "false"


def test_ctes_read_several_times_are_held_once():
    """A CTE read twice becomes one view (with the CTE read only through it carried inside);
    a CTE read once, or named like a view of the extract, stays; nested ones come first."""
    sql = (
        "WITH a AS (SELECT x FROM t), b AS (SELECT x FROM a), c AS (SELECT x FROM u) "
        "SELECT * FROM b UNION ALL SELECT * FROM b UNION ALL SELECT * FROM c"
    )
    assert spark.hoist_shared(sql, {"t", "u"}) == (
        [("hoisted_b", "WITH a AS (SELECT x FROM t) SELECT x FROM a")],
        "WITH c AS (SELECT x FROM u) SELECT * FROM hoisted_b UNION ALL SELECT * FROM hoisted_b"
        " UNION ALL SELECT * FROM c",
    )
    shadowing = "WITH t AS (SELECT x FROM u) SELECT * FROM t UNION ALL SELECT * FROM t"
    assert spark.hoist_shared(shadowing, {"t", "u"}) == ([], shadowing)
    nested = (
        "SELECT * FROM (WITH f AS (SELECT x FROM (WITH g AS (SELECT x FROM t) SELECT * FROM g"
        " UNION ALL SELECT * FROM g) AS s) SELECT * FROM f UNION ALL SELECT * FROM f) AS o"
    )
    assert spark.hoist_shared(nested, {"t"}) == (
        [
            ("hoisted_g", "SELECT x FROM t"),
            (
                "hoisted_f",
                "SELECT x FROM (SELECT * FROM hoisted_g UNION ALL SELECT * FROM hoisted_g) AS s",
            ),
        ],
        "SELECT * FROM (SELECT * FROM hoisted_f UNION ALL SELECT * FROM hoisted_f) AS o",
    )


@pytest.mark.parametrize("name", engine.list_measures())
def test_fine_cells_computed_once_per_measure(name):
    """The engine's ``fine_cells`` (read once per breakdown) is held as one view on Spark,
    and the cells statement no longer defines it."""
    cells = spark.transpile(engine.measure_sql(name)[0])
    shared, rest = spark.hoist_shared(cells, {"persons", "person_years", "emergency_spells"})
    if "fine_cells" in cells:
        assert "hoisted_fine_cells" in [view for view, _ in shared]
        assert "fine_cells AS" not in rest
    else:
        assert "hoisted_fine_cells" not in rest
