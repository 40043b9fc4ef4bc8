"""The console script. ``benefit --version`` answers before Typer is even imported;
everything else goes to the Typer app, built with only the command group it needs."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from benefit_cli import __version__

        print(f"benefit-cli {__version__}")
        return
    from benefit_cli.app import run

    run(args)
