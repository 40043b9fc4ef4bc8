"""The root of the command line: global options, the command groups, and the one place
where a refusal becomes an ``Error:`` line and an exit code."""

from __future__ import annotations

import gc
import os
import re
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from benefit_cli import __version__
from benefit_cli.cli.common import db_path, state
from benefit_cli.domain.errors import BenefitError, DoneInPart, RowErrors


class BenefitGroup(TyperGroup):
    """Turns every refusal into one ``Error:`` line on stderr with the SPEC's exit code.

    Click's own usage errors (an unknown option or command, a missing argument) keep
    Click's usage text, with what they quote of the command line made ``printable``."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except Exception as error:
            _escape_usage_error(error)  # the global options, read before ``invoke``
            raise

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from benefit_cli.cli.parameters import describe

        describe(self)  # help metavars and shell completion, from the parameters' names

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RowErrors as error:
            _problems(error.errors, error.problems)
            _fail(error.message, error.exit_code)
        except DoneInPart as error:  # not a refusal: what was done stays, and no "Error:"
            _problems(error.errors, error.problems)
            print(_printable(error.message), file=sys.stderr)
            raise typer.Exit(error.exit_code) from None
        except BenefitError as error:
            _fail(error.message, error.exit_code)
        except sqlite3.DatabaseError as error:
            message = _database_trouble(error)
            if message is None:
                _unexpected(error)
            _fail(str(message), 1)
        except PermissionError as error:
            name = error.filename or db_path()
            _fail(
                f'You do not have permission to use "{name}", so the command stopped. Ask whoever'
                " manages it for access, or choose another file.",
                1,
            )
        except BrokenPipeError:
            # The reader went away (``benefit ... | head``): stop quietly, as cat does.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if _is_click_error(error):
                _escape_usage_error(error)
                raise
            _unexpected(error)


def _is_click_error(error: BaseException) -> bool:
    """One of Click's exceptions (Typer may bundle its own copy of Click: both count)."""
    return getattr(error, "exit_code", None) is not None and type(error).__module__.startswith(
        ("click", "typer")
    )


# A negative number where an argument is expected: Click reads it as an option.
_NEGATIVE = re.compile(r"-[0-9][0-9.,]*")


def _escape_usage_error(error: BaseException) -> None:
    """Make what a Click usage error quotes of the command line ``printable`` (a name
    holding an escape sequence or a bidi override must not reach the terminal raw)."""
    if not _is_click_error(error) or not isinstance(getattr(error, "message", None), str):
        return
    name = getattr(error, "option_name", None)
    if type(error).__name__ == "NoSuchOption" and isinstance(name, str) and _NEGATIVE.fullmatch(name):
        error.message = (  # type: ignore[attr-defined]
            f"No such option: {name}. An id, a count or a number of days is never negative;"
            ' a contact ref that starts with "-" goes after --, as in: benefit balance -- -5'
        )
    error.message = _printable(error.message)  # type: ignore[attr-defined]


def _database_trouble(error: sqlite3.DatabaseError) -> str | None:
    """One sentence for what SQLite says about the file or its disk, or None for a bug.

    ``db.connection`` refuses most of these before a command starts; this catches what
    happens while it runs (a share gone, a disk full, permissions changed under it)."""
    from benefit_cli.db import connection

    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    path = db_path()
    if connection.is_busy(error):
        return connection.busy_message()
    if code == sqlite3.SQLITE_READONLY or "readonly" in str(error):
        reason = connection.read_only_reason(path) or f'the database file "{path}" is read-only'
        return connection.read_only_refusal(reason)
    if code == sqlite3.SQLITE_FULL:
        return (
            f'The disk holding "{path}" is full, so nothing was changed. Free some space on it and try again.'
        )
    if code == sqlite3.SQLITE_IOERR:
        return (
            f'The disk holding "{path}" could not be read or written ({error}), so nothing was'
            " changed. Check that the disk or network share is available, then run: benefit db check."
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return connection.unusable(path, error).message
    if code == sqlite3.SQLITE_CANTOPEN:  # the database was open already: another file, a backup's
        return (
            f"A database file could not be opened ({error}), so the command stopped. Check that its"
            " folder exists, that you may write there, and that the disk is available."
        )
    return None


def _problems(errors: Sequence[BenefitError], problems: int) -> None:
    """The problems of the rows a command refused or set aside, up to ``RowErrors.SHOWN``."""
    for row_error in errors[: RowErrors.SHOWN]:
        print(f"  {_printable(row_error.message)}", file=sys.stderr)
    hidden = problems - min(len(errors), RowErrors.SHOWN)
    if hidden > 0:
        print(f"  ... and {hidden} more.", file=sys.stderr)


def _fail(message: str, code: int) -> None:
    print(f"Error: {_printable(message)}", file=sys.stderr)
    raise typer.Exit(code)


def _printable(message: str) -> str:
    """A message may quote a name or a cell: shown as a terminal may show it."""
    from benefit_cli.render import printable

    return printable(message)


def _unexpected(error: Exception) -> None:
    if os.environ.get("BENEFIT_DEBUG") == "1":
        raise error
    print(
        f"Error: an unexpected internal error happened ({type(error).__name__}); nothing was"
        " changed. Run again with BENEFIT_DEBUG=1 to see the details, and report it.",
        file=sys.stderr,
    )
    raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        print(f"benefit-cli {__version__}")
        raise typer.Exit()


def root(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="BENEFIT_DB",
            readable=False,  # opening the file says what is wrong with it, in one sentence
            help="The database file (default: $BENEFIT_DB, else benefits.db in your application folder).",
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            envvar="BENEFIT_OPERATOR",
            help="Who is making the change (default: your user name).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Keep your organization's membership benefits in one SQLite file."""
    state.db = db
    if operator:
        from benefit_cli.clock import set_operator

        set_operator(operator)


# Which module registers each top-level command. Building every command's Click object
# costs about as much as importing Typer, so ``main`` builds only the group it needs.
COMMAND_MODULES = {
    "db": "db_cmds",
    "demo": "db_cmds",
    "contact": "contact_cmds",
    "type": "type_cmds",
    "plan": "plan_cmds",
    "membership": "membership_cmds",
    "level": "membership_cmds",
    "allocate": "allocation_cmds",
    "allocation": "allocation_cmds",
    "delegate": "allocation_cmds",
    "use": "ledger_cmds",
    "adjust": "ledger_cmds",
    "balance": "ledger_cmds",
    "usage": "ledger_cmds",
    "report": "report_cmds",
    "run": "run_cmds",
    "subscription": "subscription_cmds",
    "event": "event_cmds",
}
GLOBAL_OPTIONS_WITH_VALUE = ("--db", "--operator")


def create_app(modules: Iterable[str] | None = None) -> typer.Typer:
    """The ``benefit`` app with the given command modules (default: all of them)."""
    app = typer.Typer(
        cls=BenefitGroup,
        name="benefit",
        help="Keep your organization's membership benefits in one SQLite file.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        # Plain Click output: a usage mistake is one "Error:" line, not a drawn box.
        rich_markup_mode=None,
    )
    app.callback()(root)
    for name in dict.fromkeys(modules if modules is not None else COMMAND_MODULES.values()):
        import_module(f"benefit_cli.cli.{name}").register(app)
    return app


def command_word(args: list[str]) -> str | None:
    """The top-level command in ``args``, skipping the global options before it."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in GLOBAL_OPTIONS_WITH_VALUE:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return arg
    return None


COMPLETE_VAR = "_BENEFIT_COMPLETE"


def completed_words() -> list[str] | None:
    """When the shell asks for completions (``COMPLETE_VAR`` set, by the script that
    ``--install-completion`` installs), the words typed before the one being completed;
    else None. Bash passes the line as ``COMP_WORDS``/``COMP_CWORD``, zsh and fish as
    Typer's ``_TYPER_COMPLETE_ARGS``."""
    if not os.environ.get(COMPLETE_VAR):
        return None
    from typer._click.shell_completion import split_arg_string

    if "COMP_WORDS" in os.environ:
        words = split_arg_string(os.environ["COMP_WORDS"])
        try:
            return words[1 : int(os.environ.get("COMP_CWORD", ""))]
        except ValueError:
            return []
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = split_arg_string(line)[1:]
    return words if line.endswith(" ") else words[:-1]


def run(args: list[str]) -> None:
    # A completion is asked for with no arguments, the line in the environment: its command
    # word, once typed whole, chooses the one group to build, as for a command.
    words = completed_words()
    module = COMMAND_MODULES.get(command_word(args if words is None else words) or "")
    app = create_app([module] if module else None)
    # What start-up made (the modules, the app) lives until the process ends: frozen, the
    # cycle collector never walks it again, and a command that makes 50,000 rows pays for
    # collecting what it makes alone (a subscription's fulfilment: 7% of its time).
    gc.freeze()
    app(args, prog_name="benefit")


def __getattr__(name: str) -> typer.Typer:
    """``benefit_cli.app.app``: the whole app, for tests and tools that import it."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
