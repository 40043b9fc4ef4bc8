"""The errors a user can cause, each carrying the exit code the SPEC gives it.

They are raised anywhere below the CLI and turned into one ``Error: ...`` line on
stderr in exactly one place (``benefit_cli.app``). Messages are whole sentences that
name the thing and say how to make it valid.
"""

from __future__ import annotations

from collections.abc import Sequence


class BenefitError(Exception):
    """A refusal: the request is understood but not allowed (exit 1)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(BenefitError):
    """A contact, type, plan, level, ... named by the user does not exist."""


class Invalid(BenefitError):
    """A value breaks a rule of the domain (overlap, overdraw, limit, ...)."""


class UsageError(BenefitError):
    """The command was called wrongly: a malformed option value (exit 2)."""

    exit_code = 2


class CsvError(BenefitError):
    """A problem in an input file, located by its spreadsheet row and column."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        self.reason = message
        self.row = row
        self.column = column
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class RowErrors(BenefitError):
    """Some rows (of a file, or contacts of a bulk command) were refused, so nothing was
    written (invariant 5). The CLI shows the problems it was given, up to ``SHOWN``,
    says how many more there were, then the summary."""

    SHOWN = 100

    def __init__(
        self,
        errors: Sequence[BenefitError],
        *,
        problems: int | None = None,
        rows: int | None = None,
        what: str = "row",
        done: str = "nothing was imported",
    ) -> None:
        self.errors = errors
        self.problems = len(errors) if problems is None else problems
        if rows is None:  # a row may have several problems: count the rows named
            located = {e.row for e in errors if isinstance(e, CsvError) and e.row is not None}
            rows = len(located) or len(errors)
        noun = f"{what} has a problem" if rows == 1 else f"{what}s have problems"
        super().__init__(f"{rows} {noun}, so {done}; fix {'it' if rows == 1 else 'them'} and try again.")


class DoneInPart(BenefitError):
    """A bulk command told to skip bad rows (``--on-error skip``) wrote the good ones and set
    the others aside: done in part (exit 3), so that a script or a cron job knows rows wait
    for a person. Not a refusal: what was written stays. The CLI shows the problems it was
    given, up to ``RowErrors.SHOWN``, then the message."""

    exit_code = 3

    def __init__(self, message: str, errors: Sequence[BenefitError], problems: int) -> None:
        super().__init__(message)
        self.errors = errors
        self.problems = problems
