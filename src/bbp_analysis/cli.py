"""The ``bbp`` command line: build the review, check its inputs, make the synthetic extract.

Errors a user can act on are printed as one line (file, row, column, rule) with exit
status 2; nothing is published when a build fails. Any other exception is reported as one
line naming its type and message, with exit status 3; its traceback goes to a log file under
``_build/logs/`` (or the system temporary folder when that cannot be written). Ctrl+C ends
with status 130.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from .errors import BBPError

INPUT_ERROR = 2
"""Exit status for bad input or a refused build (the line names file, row, column and rule)."""
INTERNAL_ERROR = 3
"""Exit status for an unexpected failure inside bbp (the line names the log with the traceback)."""
INTERRUPTED = 130
MESSAGE_LIMIT = 300


def _build(args: argparse.Namespace) -> int:
    from .paths import build_dir, project_root
    from .site_folder import check_output

    root = project_root()  # refuse an unsafe --out before importing the build machinery
    out = check_output(Path(args.out) if args.out else build_dir(root) / "html", root)
    from .pipeline import build

    out = build(
        args.period,
        out,
        keep_staging=args.keep_staging,
        jobs=args.jobs,
        area=args.area,
        engine=args.engine,
    )
    print(f"site: {out}/index.html")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .inputs import check_build_inputs
    from .paths import project_root

    checked = check_build_inputs(args.period, project_root(), args.area)
    editions = ", ".join(p["period"] for p in checked.editions)
    print(
        f"valid: parameters for {editions} and every input the build reads "
        f"({len(checked.inputs)} checks: " + "; ".join(checked.inputs) + ")"
    )
    return 0


def _data_synth(args: argparse.Namespace) -> int:
    import time

    from .extract import extract_folder, extract_hash, verify_extract
    from .params import latest_period, load_parameters
    from .synth.generate import generate

    defaults = load_parameters(None)
    area = args.area or defaults["area_code"]
    seed = defaults["synthetic_seed"] if args.seed is None else args.seed
    through = args.through or latest_period()
    out = Path(args.out) if args.out else extract_folder(area)
    started = time.perf_counter()
    generate(area=area, scale=args.scale, seed=seed, out_dir=out, validate=True, through=through)
    manifest = verify_extract(out)
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    covered = manifest["periods"]
    print(
        f"synthetic extract for {area} (scale {args.scale}, seed {seed}, periods "
        f"{covered[0]} to {covered[-1]}): {len(manifest['tables'])} tables, {rows:,} rows in "
        f"{time.perf_counter() - started:.1f} s"
    )
    for name, entry in sorted(manifest["tables"].items()):
        print(f"  {name:<22} {entry['rows']:>12,} rows  sha256 {entry['sha256'][:16]}")
    print(f"extract hash {extract_hash(manifest)}\nwritten to {out}")
    return 0


def _data_fetch_published(args: argparse.Namespace) -> int:
    from datetime import date

    from . import published

    where = Path(args.out) if args.out else published.folder()
    index = published.fetch(where, args.area_type, args.parent_area_type, date.today())
    print(f"published statistics fetched into {where}; recorded in {index}")
    return 0


def _site(args: argparse.Namespace) -> Path:
    from .paths import build_dir

    return Path(args.site) if args.site else build_dir() / "html"


def _report_differences(differences: list[str], ok: str, drift: str) -> int:
    if not differences:
        print(ok)
        return 0
    print(f"{drift}: {len(differences)} difference(s)")
    for line in differences:
        print(f"  {line}")
    return 1


def _verify(args: argparse.Namespace) -> int:
    from .audit.manifest import load_manifest
    from .audit.verify import verify
    from .paths import project_root
    from .pipeline import Progress

    manifest = load_manifest(_site(args), args.edition)
    differences = verify(manifest, project_root(), Progress())
    return _report_differences(
        differences,
        f"edition {manifest['edition']} verified: every input, glued value, figure/table hash "
        f"and the results file match its manifest ({len(manifest['items'])} figures and tables"
        f", {len(manifest.get('results', {}).get('headlines', {}))} headlines)",
        f"edition {manifest['edition']} drifted from its manifest",
    )


def _reproduce(args: argparse.Namespace) -> int:
    from .audit.manifest import MANIFEST_NAME, load_manifest
    from .audit.reproduce import reproduce
    from .paths import project_root
    from .pipeline import Progress

    site = _site(args)
    manifest = load_manifest(site, args.edition)
    source = (site / args.edition if args.edition else site) / MANIFEST_NAME
    differences = reproduce(manifest, args.figure_id, project_root(), Progress(), source)
    return _report_differences(
        differences,
        f"{args.figure_id} ({manifest['edition']}): identical",
        f"{args.figure_id} ({manifest['edition']}): different",
    )


def _audit_disclosure(args: argparse.Namespace) -> int:
    from .audit.disclosure_scan import scan_site
    from .errors import InputError
    from .params import load_parameters

    site = Path(args.site)
    if not site.is_dir():
        raise InputError("not a folder", file=site, rule="site exists")
    threshold = args.threshold or load_parameters(None)["suppression_threshold"]
    findings = scan_site(site, threshold)
    if not findings:
        print(f"disclosure audit of {site}: no findings")
        return 0
    print(f"disclosure audit of {site}: {len(findings)} finding(s)")
    for finding in findings:
        print(f"  {finding}")
    return 1


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bbp", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the review site for a period")
    build.add_argument("--period", help="financial year, e.g. 2023-24 (default: default_period)")
    build.add_argument("--out", help="site folder (default: _build/html)")
    build.add_argument(
        "--keep-staging",
        action="store_true",
        help="keep the staging folder after a failure, for diagnosis",
    )
    build.add_argument(
        "--jobs",
        type=_positive,
        help="notebooks executed at once (default: the number of CPUs)",
    )
    build.add_argument(
        "--area",
        help="LA code of a NW London borough: build its review from the eight-borough extract",
    )
    build.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="engine aggregating measures that are not cached yet (default: duckdb)",
    )
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="check parameters and inputs; build nothing")
    validate.add_argument(
        "--period", help="financial year, e.g. 2023-24 (default: every period, as build)"
    )
    validate.add_argument("--area", help="LA code of a NW London borough, as for build")
    validate.set_defaults(run=_validate)

    verify = commands.add_parser(
        "verify", help="re-run an edition from its manifest and list any drift (exit 1)"
    )
    verify.add_argument("--edition", help="period, e.g. 2024-25 (default: the latest)")
    verify.add_argument("--site", help="built site folder (default: _build/html)")
    verify.set_defaults(run=_verify)

    reproduce = commands.add_parser(
        "reproduce", help="recompute one figure's or table's data; identical or different"
    )
    reproduce.add_argument("figure_id", metavar="FIGURE_ID", help="identifier in its passport")
    reproduce.add_argument("--edition", help="period, e.g. 2024-25 (default: the latest)")
    reproduce.add_argument("--site", help="built site folder (default: _build/html)")
    reproduce.set_defaults(run=_reproduce)

    audit = commands.add_parser(
        "audit-disclosure",
        help="scan a site's pages, notebooks and downloads for identifiers and small counts",
    )
    audit.add_argument("site", metavar="SITE", help="built site folder")
    audit.add_argument(
        "--threshold", type=int, help="smallest count shown (default: suppression_threshold)"
    )
    audit.set_defaults(run=_audit_disclosure)

    data = commands.add_parser("data", help="the embedded default data")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    synth = data_commands.add_parser(
        "synth", help="generate the synthetic extract (deterministic from the seed)"
    )
    synth.add_argument("--area", help="LA code of a NW London borough, or NWL for all eight")
    synth.add_argument("--scale", type=float, default=1.0, help="list sizes x this (0 to 10]")
    synth.add_argument("--seed", type=int, help="default: synthetic_seed in parameters")
    synth.add_argument("--out", help="folder (default: data/synthetic/<area>)")
    synth.add_argument(
        "--through",
        metavar="PERIOD",
        help="last financial year covered, e.g. 2026-27 (from 2019-20; default: the latest "
        "period with a file in parameters/)",
    )
    synth.set_defaults(run=_data_synth)
    fetch = data_commands.add_parser(
        "fetch-published",
        help="download the catalogue's Fingertips indicators into the published folder "
        "(needs fingertips_py and a network)",
    )
    fetch.add_argument(
        "--area-type", type=int, default=502, help="Fingertips child area type id (default 502)"
    )
    fetch.add_argument(
        "--parent-area-type",
        type=int,
        default=6,
        help="Fingertips parent area type id (default 6, regions)",
    )
    fetch.add_argument("--out", help="folder (default: published_folder in parameters)")
    fetch.set_defaults(run=_data_fetch_published)
    return top


def _log_folders() -> list[Path]:
    """Where a failure log may go: ``_build/logs/`` of the project, else the temp folder."""
    folders = []
    try:
        from .paths import build_dir

        folders.append(build_dir() / "logs")
    except OSError:  # no project root: the temp folder still takes the log
        pass
    return [*folders, Path(tempfile.gettempdir())]


def write_failure_log(command: str, argv: list[str], exc: BaseException) -> Path | None:
    """Write the command, its context and the full traceback of ``exc`` to a new log file;
    return its path (None when no folder could be written)."""
    now = datetime.now(UTC)
    name = f"bbp-{command}-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    text = "".join(
        [
            f"bbp {' '.join(argv)}\n",
            f"time (UTC): {now.isoformat(timespec='seconds')}\n",
            f"working folder: {Path.cwd()}\n",
            f"python: {sys.version.split()[0]} ({sys.executable})\n\n",
            *traceback.format_exception(exc),
        ]
    )
    for folder in _log_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line, shortened to ``MESSAGE_LIMIT`` characters."""
    message = " ".join(str(exc).split()) or "(no message)"
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return message


def main(argv: list[str] | None = None) -> int:
    """Run one ``bbp`` command; return its exit status (0 done, 1 differences or findings,
    2 bad input or refused build, 3 internal error, 130 interrupted)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BBPError as exc:
        print(f"bbp {args.command}: error: {exc}", file=sys.stderr)
        return INPUT_ERROR
    except KeyboardInterrupt:
        print(f"bbp {args.command}: interrupted; nothing was published", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # the boundary: one line here, the traceback in the log
        log = write_failure_log(args.command, argv, exc)
        where = f"details in {log}" if log else "no log could be written"
        print(
            f"bbp: {args.command} failed: {type(exc).__name__}: {_one_line(exc)} ({where})",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
