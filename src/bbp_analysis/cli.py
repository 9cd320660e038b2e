"""The ``bbp`` command line: build the review, check its inputs, make the synthetic extract.

Errors a user can act on are printed as one line (file, row, column, rule) with exit
status 2; nothing is published when a build fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import BBPError


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    out = build(args.period, Path(args.out) if args.out else None, keep_staging=args.keep_staging)
    print(f"site: {out}/index.html")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .inputs import check_inputs
    from .params import load_parameters
    from .paths import project_root

    params = load_parameters(args.period)
    checked = check_inputs(params, project_root())
    print(
        f"parameters for {params['period']} and {len(checked)} inputs are valid: "
        + ", ".join(checked)
    )
    return 0


def _data_synth(args: argparse.Namespace) -> int:
    import time

    from .extract import extract_folder, extract_hash, verify_extract
    from .params import load_parameters
    from .synth.generate import generate

    defaults = load_parameters(None)
    area = args.area or defaults["area_code"]
    seed = defaults["synthetic_seed"] if args.seed is None else args.seed
    out = Path(args.out) if args.out else extract_folder(area)
    started = time.perf_counter()
    generate(area=area, scale=args.scale, seed=seed, out_dir=out, validate=True)
    manifest = verify_extract(out)
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    print(
        f"synthetic extract for {area} (scale {args.scale}, seed {seed}): "
        f"{len(manifest['tables'])} tables, {rows:,} rows in {time.perf_counter() - started:.1f} s"
    )
    for name, entry in sorted(manifest["tables"].items()):
        print(f"  {name:<22} {entry['rows']:>12,} rows  sha256 {entry['sha256'][:16]}")
    print(f"extract hash {extract_hash(manifest)}\nwritten to {out}")
    return 0


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
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="check parameters and inputs; build nothing")
    validate.add_argument("--period", help="financial year, e.g. 2023-24")
    validate.set_defaults(run=_validate)

    data = commands.add_parser("data", help="the embedded default data")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    synth = data_commands.add_parser(
        "synth", help="generate the synthetic extract (deterministic from the seed)"
    )
    synth.add_argument("--area", help="LA code of a NW London borough, or NWL for all eight")
    synth.add_argument("--scale", type=float, default=1.0, help="list sizes x this (0 to 10]")
    synth.add_argument("--seed", type=int, help="default: synthetic_seed in parameters")
    synth.add_argument("--out", help="folder (default: data/synthetic/<area>)")
    synth.set_defaults(run=_data_synth)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BBPError as exc:
        print(f"bbp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bbp {args.command}: interrupted; nothing was published", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
