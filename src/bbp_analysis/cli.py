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
