"""Options shared by the commands that read a CSV file."""

from __future__ import annotations

from pathlib import Path

from benefit_cli.domain.errors import NotFound, UsageError


def check_file(path: Path) -> None:
    if not path.exists():
        raise NotFound(f'No file "{path}". Check the name and the folder.')
    if path.is_dir():
        raise UsageError(f'"{path}" is a folder; give the CSV file inside it.')


def date_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    """``--dayfirst`` / ``--monthfirst`` as the date parser's ``dayfirst``."""
    if dayfirst and monthfirst:
        raise UsageError("Give --dayfirst or --monthfirst, not both.")
    return True if dayfirst else False if monthfirst else None
