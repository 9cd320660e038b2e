"""Every input a build reads, checked before any work starts: the one routine that both
``bbp validate`` and ``bbp build`` run first, so that passing one means passing the other.

:func:`check_build_inputs` checks, in this order, and raises :class:`InputError` (file, row,
column, rule) on the first rule broken:

1. the parameters: ``defaults.yaml`` and every period file the build would build (or the one
   named), each against :data:`bbp_analysis.params.SPEC`;
2. the seed documents (``data/reference/seeds/``): UTF-8 and not empty;
3. the reference tables (``data/reference/*.csv``): schema, numbers in quotes, quotes in
   seeds;
4. the public data files (``data/reference/public/``) through their readers, plus the layout
   and codes the synthetic-data generator relies on (:data:`PUBLIC_FILES`);
5. the published statistics (``published_folder``, :mod:`bbp_analysis.published`): the
   index and every file through its reader; then each edition's PCN against the PCN list;
6. the delivery tracker (``data/delivery/``);
7. the notebook templates' ``parameters`` cells;
8. the extract each edition reads: the synthetic one, or the folder its ``extract``
   parameter names (provider and extraction date declared,
   :func:`bbp_analysis.extract.source_from_params`); against its manifest (each table
   present, a readable Parquet file with the manifest's row count and its schema's columns,
   or a CSV file with that row count, and the manifest's SHA-256) and against the extract
   contract (a named extract first against the contract: it may have no manifest); then each
   edition's period against the periods the data cover: those of the manifest (or, with none,
   of its ``fin_year`` values) for an extract used as it is, or those the synthetic extract
   will cover once generated (2019-20 through the latest period file,
   :func:`bbp_analysis.extract.check_extract`).

Nothing is generated; only the record of passed checks is written. A file check whose
files' bytes already passed, in this process or in an earlier run with the same package
source and lock file (:func:`passed_record`, under ``_build/cache/input-checks/``), is not
repeated (the rules depend on nothing else), so a build after a validate, a rebuild, or the
bad-input corpus pays for each distinct file once.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import catalogue, extract, published
from . import params as params_mod
from .contract.gate import check_extract_contract
from .delivery.tracker import SCHEMAS as TRACKER_TABLES
from .delivery.tracker import load_tracker, tracker_dir
from .errors import InputError
from .paths import build_dir, parameters_dir, reference_dir
from .readers import read_fingertips, read_harrow_practices, read_imd, read_registrations
from .readers._io import read_records
from .reference import (
    CANONICAL_PCNS,
    TABLES,
    load_reference,
    read_seed,
    seed_files,
    table_path,
    verify_quotes,
)
from .synth.calibration import NWL_BOROUGHS
from .validation import check_period_covered, reject_first

_PASSED: set[tuple[str, str]] = set()
_NEWLY_PASSED: list[tuple[str, str]] = []


@dataclass(frozen=True)
class Checked:
    """What :func:`check_build_inputs` accepted: each edition's checked parameters (borough
    overrides applied) and a short name for every input checked."""

    editions: list[params_mod.RunParameters]
    inputs: list[str]


def _digest(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0missing\0")
    return digest.hexdigest()


def _once(label: str, files: Iterable[Path], check: Callable[[], object]) -> None:
    """Run ``check`` unless it already passed on files with the same names and bytes."""
    key = (label, _digest(files))
    if key not in _PASSED:
        check()
        _PASSED.add(key)
        _NEWLY_PASSED.append(key)


def passed_record(root: Path) -> Path:
    """Where the file checks passed with this package source and lock file are kept, one
    ``label<TAB>digest`` a line (only passes are recorded: a failing input is checked, and
    refused, every time)."""
    from .audit.manifest import lock_hash
    from .runner import source_hash

    context = hashlib.sha256(f"{source_hash()}:{lock_hash(root)}".encode()).hexdigest()
    return build_dir(root) / "cache" / "input-checks" / f"{context[:32]}.txt"


def _load_passed(record: Path) -> None:
    try:
        lines = record.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for line in lines:
        label, _, digest = line.partition("\t")
        if digest:
            _PASSED.add((label, digest))


def _keep_passed(record: Path) -> None:
    if not _NEWLY_PASSED:
        return
    text = "".join(f"{label}\t{digest}\n" for label, digest in _NEWLY_PASSED)
    _NEWLY_PASSED.clear()
    with contextlib.suppress(OSError):  # a read-only project checks again next time
        record.parent.mkdir(parents=True, exist_ok=True)
        with record.open("a", encoding="utf-8") as handle:
            handle.write(text)


def _header_at(path: Path, position: int, prefix: str) -> None:
    """The generator reads column ``position`` (0-based) by place: it must be ``prefix``."""
    header = read_records(path)[0]
    found = header[position] if position < len(header) else None
    if found is None or not found.startswith(prefix):
        raise InputError(
            f"column {position + 1} must be {prefix!r}..., found {found!r}",
            file=path,
            column=prefix,
            rule="generator layout",
        )


def _harrow_lsoas(path: Path) -> None:
    read_imd(path)
    _header_at(path, 20, "Total population: mid 2015")


def _imd_file_1(path: Path) -> None:
    frame = read_imd(path)
    header = read_records(path)[0]
    if len(header) != 6:
        raise InputError(
            f"{len(header)} columns; the generator reads IoD2019 File_1's six by place",
            file=path,
            column=header[-1],
            rule="generator layout",
        )
    _all_boroughs(set(frame["la_code"]), path, "Local Authority District code (2019)")


def _all_boroughs(codes: set[str], path: Path, column: str, ccg: bool = False) -> None:
    for code, (name, ccg_code) in sorted(NWL_BOROUGHS.items()):
        if (ccg_code if ccg else code) not in codes:
            raise InputError(
                f"no rows for {name} ({ccg_code if ccg else code})",
                file=path,
                column=column,
                rule="every NW London borough",
            )


def _registrations(path: Path) -> None:
    frame = read_registrations(path)
    header = read_records(path)[0]
    for name in ("CCG_CODE", "CODE"):
        if name not in header:
            raise InputError(
                "the generator reads practices by CCG_CODE and CODE (the 2021 layout)",
                file=path,
                column=name,
                rule="generator layout",
            )
    _all_boroughs(set(frame["commissioner_code"]), path, "CCG_CODE", ccg=True)


def _harrow_practices(path: Path) -> None:
    frame = read_harrow_practices(path)
    unknown = frame["pcn_name"].notna() & ~frame["pcn_name"].isin(CANONICAL_PCNS)
    reject_first(
        unknown,
        lambda i: (
            f"{frame['pcn_name'].iloc[i]!r} is not a PCN of pcn_names.csv "
            f"(known: {', '.join(sorted(CANONICAL_PCNS))})"
        ),
        file=path,
        column="pcn_name",
        rule="code list",
    )


HSE_SEXES = ("Men", "Women", "Adults")
HSE_AGES = ("16-34", "35-44", "45-54", "55-64", "65-74", "75+")
HSE_TOTAL = "All with hypertension"


def _hse_hypertension(path: Path) -> None:
    """The HSE 2022 hypertension table objective 1 reads for expected prevalence: its columns,
    sexes, one row per sex and group, each share a percentage 0-100 ('-' for under 0.5%), and
    a numeric "All with hypertension" row for men and for women (the rows the model uses)."""
    header, rows = read_records(path)
    for name in ("Sex", "Group", *HSE_AGES):
        if name not in header:
            raise InputError("column missing", file=path, column=name, rule="HSE table header")
    seen: set[tuple[str, str]] = set()
    for number, record in enumerate(rows, start=1):
        cells = dict(zip(header, record, strict=True))
        if cells["Sex"] not in HSE_SEXES:
            raise InputError(
                f"{cells['Sex']!r} is not one of {', '.join(HSE_SEXES)}",
                file=path,
                row=number,
                column="Sex",
                rule="code list",
            )
        key = (cells["Sex"], cells["Group"])
        if key in seen:
            raise InputError(
                f"{key[0]}, {key[1]} appears twice",
                file=path,
                row=number,
                column="Group",
                rule="unique key",
            )
        seen.add(key)
        for age in HSE_AGES:
            text = cells[age].strip()
            if text == "-" and key[1] != HSE_TOTAL:
                continue
            try:
                share = float(text)
            except ValueError:
                raise InputError(
                    f"{text!r} is not a number",
                    file=path,
                    row=number,
                    column=age,
                    rule="type float",
                ) from None
            if not 0 <= share <= 100:
                raise InputError(
                    f"{share:g} is not a percentage",
                    file=path,
                    row=number,
                    column=age,
                    rule="range 0-100",
                )
    for sex in ("Men", "Women"):
        if (sex, HSE_TOTAL) not in seen:
            raise InputError(
                f"no {HSE_TOTAL!r} row for {sex}",
                file=path,
                column="Group",
                rule="rows the model uses",
            )


#: Public data files under ``data/reference/``, each with its check (reader + what the
#: generator needs of it).
PUBLIC_FILES: dict[str, Callable[[Path], None]] = {
    "public/fingertips-gp-imd2019/indicator-data_93553_gp.csv": read_fingertips,
    "public/harrow-practices/harrow_practices_2021-01_with_pcn.csv": _harrow_practices,
    "public/hse2022-hypertension/hse_estimate.csv": _hse_hypertension,
    "public/imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz": _imd_file_1,
    "public/imd2019/harrow_E09000015_iod2019_lsoa11.csv": _harrow_lsoas,
    "public/nhsd-gp-registered-patients/gp-reg-pat-prac-all_2021-01.csv": _registrations,
}


def known_pcns(root: Path | None = None) -> list[str]:
    """Canonical names of the borough's Primary Care Networks."""
    return sorted(set(load_reference("pcn_names", root)["pcn_name"]))


def contract_pcns(root: Path, area: str | None) -> list[str] | None:
    """The PCNs an extract's contract check holds it to: the PCN table's, which is the
    default area's, so none for another borough (``--area``)."""
    return None if area else known_pcns(root)


def edition_parameters(
    period: str | None, root: Path, area: str | None = None
) -> list[params_mod.RunParameters]:
    """Checked parameters of each edition a build makes: ``period`` alone, or every period
    with a parameters file (oldest first); ``area`` (a NW London borough code) overrides
    ``area_code`` and ``area_name``. The defaults' ``default_period`` must have a file."""
    overrides = extract.borough_parameters(area) if area else {}
    periods = [period] if period else params_mod.available_periods(root)
    if not periods:
        raise InputError(
            "no period parameters files", file=parameters_dir(root), rule="period exists"
        )
    loaded = [params_mod.load_parameters(p, root) for p in periods]
    editions = [p.replace(**overrides) for p in loaded] if overrides else loaded
    if period is None:
        params_mod.load_parameters(None, root)  # default_period names a period file
    return editions


def _check_edition(run_params: dict[str, Any], root: Path) -> None:
    if run_params["pcn"] is not None and run_params["pcn"] not in known_pcns(root):
        raise InputError(
            f"{run_params['pcn']!r} is not a PCN of {run_params['area_name']} "
            f"(known: {', '.join(known_pcns(root))})",
            file=parameters_dir(root),
            column="pcn",
            rule="code list",
        )


def _check_extracts(editions: list[dict[str, Any]], root: Path, area: str | None) -> list[str]:
    """Check each extract the editions read (against its manifest, then its contract; a
    named extract, which may have no manifest, against its contract first), then each
    edition's period against the periods that extract covers; return what was found, for
    the report."""
    groups: dict[tuple[str, int, extract.Source | None], list[dict[str, Any]]] = {}
    for run_params in editions:
        source = extract.source_from_params(run_params, root)
        key = (run_params["area_code"], run_params["synthetic_seed"], source)
        groups.setdefault(key, []).append(run_params)
    pcns = contract_pcns(root, area)
    found = []
    for (area_code, seed, source), group in sorted(groups.items(), key=lambda g: str(g[0])):
        with extract.use_source(source):
            if source is not None:
                contract = check_extract_contract(area_code, seed, root, pcns)
            summary, covered = extract.check_extract(area_code, seed, root)
            if source is None:
                contract = check_extract_contract(area_code, seed, root, pcns)
        found += [summary, contract]
        for run_params in group:
            period_file = parameters_dir(root) / f"{run_params['period']}.yaml"
            check_period_covered(run_params["period"], covered, file=period_file)
            if source is not None:  # the generator writes the benchmarks' rows itself
                from . import standardisation  # imports SciPy: only for a named extract

                with extract.use_source(source):
                    standardisation.check_references(run_params, list(covered))
    return found


def _template(template: Path) -> None:
    from .pipeline import check_template_parameters

    try:
        check_template_parameters(template, {})
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise InputError(
            f"not a readable notebook ({type(error).__name__}: {error})"[:300],
            file=template,
            rule="notebook format",
        ) from error


def _templates(root: Path) -> list[str]:
    from .pipeline import templates

    names = []
    for template in templates(root):
        _once("template", [template], lambda t=template: _template(t))
        names.append(template.name)
    return names


def check_build_inputs(period: str | None, root: Path, area: str | None = None) -> Checked:
    """Check every input the build (and the synthetic-data generator) reads, in the order
    of this module's docstring; return the editions' parameters and what was checked.

    Raises InputError naming file, row, column and rule on the first problem found. Builds,
    generates and writes nothing.
    """
    editions = edition_parameters(period, root, area)
    record = passed_record(root)
    _load_passed(record)
    try:
        return _check_inputs(editions, root, area)
    finally:
        _keep_passed(record)


def _check_inputs(
    editions: list[params_mod.RunParameters], root: Path, area: str | None
) -> Checked:
    inputs = [f"parameters {', '.join(p['period'] for p in editions)}"]
    catalogue.indicators()
    catalogue.partnership()
    inputs.append("indicator catalogue")
    seeds = seed_files(root)
    for seed in seeds:
        _once("seed", [seed], lambda s=seed: read_seed(s))
    inputs.append(f"{len(seeds)} seed documents")
    for name in TABLES:
        table = table_path(name, root)
        _once("reference", [table], lambda n=name: load_reference(n, root))
        _once("quotes", [table, *seeds], lambda n=name: verify_quotes(n, root))
        inputs.append(name)
    for name, check in PUBLIC_FILES.items():
        path = reference_dir(root) / name
        _once(name, [path], lambda c=check, p=path: c(p))
        inputs.append(Path(name).name)
    where = published.folder(editions[0], root)
    if where.is_dir():
        files = [source.path for source in published.sources(where)]
        _once("published", [where / published.INDEX, *files], lambda: published.check(where))
        inputs.append(f"{len(files)} published statistics files")
    for run_params in editions:
        _check_edition(run_params, root)
    tables = [tracker_dir(root) / f"{name}.csv" for name in TRACKER_TABLES]
    _once("tracker", [*tables, *seeds], lambda: load_tracker(root))
    inputs.append("delivery tracker")
    inputs.append(f"{len(_templates(root))} notebook templates")
    with extract.eight_borough_source() if area else nullcontext():
        inputs += _check_extracts(editions, root, area)
    return Checked(editions, inputs)
