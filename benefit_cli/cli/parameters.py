"""What a parameter is follows from its name, the same in every command.

A ``CONTACT`` argument or a ``--contact`` option is always a contact's ref or id, ``--type``
a benefit type's code, ``--on`` or ``--from`` a date. So the help text and the shell
completion of every command are given here, once, from the names, when the command tree
is built (``describe``, called by the root group): a command added later gets them by
naming its parameters as the others do, and a test walks the tree to hold it.

- The help shows what to type: ``YYYY-MM-DD`` for a date, ``CONTACT`` for a contact, ``N``
  for a number; an argument reads ``CONTACT`` in the usage line, not Typer's
  ``{contact}``.
- Shell completion (``benefit --install-completion``) offers the commands and options,
  and from the database in use the contact refs, type codes and plan codes that start
  with what was typed. Those look-ups open the file read-only, read a few rows through an
  index, and give up silently on any trouble: a completion never prints an error into
  the line being typed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# Typer bundles its own Click (typer._click); its classes are the ones the tree is made of.
from typer._click import Context, Parameter
from typer._click.shell_completion import CompletionItem
from typer.core import TyperArgument

DATE = "YYYY-MM-DD"
DATE_OPTIONS = frozenset(
    (
        "--on", "--start", "--stop", "--expires", "--joined", "--joined-from", "--joined-to", "--from",
        "--to", "--active-on", "--begin", "--end", "--as-of", "--through", "--date",
    )
)  # fmt: skip
# The options and arguments that name a contact, a benefit type or a plan (by parameter
# name): the metavar they show, and what completes them.
CONTACT_OPTIONS = {"--contact": "CONTACT", "--of": "BUSINESS", "--contacts": "CONTACT,..."}
TYPE_OPTIONS = {"--type": "TYPE"}
PLAN_OPTIONS = {"--plan": "PLAN"}
# A ``CODE`` argument names an existing type or plan except where it makes a new one.
CODE_GROUPS = {"type": "type", "plan": "plan"}
MAKING = frozenset(("add",))
# Metavars by value type, for the options that have no better one (Click shows "<str>").
BY_TYPE = {"str": "TEXT", "int": "N", "integer": "N", "int range": "N", "float": "N", "path": "FILE"}

Complete = Callable[[Context, Parameter, str], list[CompletionItem]]


def describe(command: Any, path: tuple[str, ...] = ()) -> None:
    """Give every parameter under ``command`` its metavar and its completion."""
    for sub_name, sub in getattr(command, "commands", {}).items():
        describe(sub, (*path, sub_name))
    for param in command.params:
        if param.param_type_name == "argument":
            _argument(param, path)
        elif param.param_type_name == "option" and not getattr(param, "is_flag", False):
            _option(param)


def _argument(param: Parameter, path: tuple[str, ...]) -> None:
    name = (param.name or "").rstrip("_")
    kind = {"contact": "contact", "type": "type", "plan": "plan", "event": "event"}.get(name)
    if name == "code" and path and path[-1] not in MAKING:
        kind = CODE_GROUPS.get(path[0])
    if param.metavar is None:
        param.metavar = name.upper()
    if isinstance(param, TyperArgument):
        # Typer writes a required argument as "{contact}" in the usage line; staff read the
        # braces as something to type. Click's plain convention: CONTACT, [OPTIONAL].
        param.__class__ = _PlainArgument
    if kind is not None:
        _completes(param, kind)


def _option(param: Parameter) -> None:
    flag = param.opts[0]
    kinds = {**{o: "contact" for o in CONTACT_OPTIONS}, **{o: "type" for o in TYPE_OPTIONS},
             **{o: "plan" for o in PLAN_OPTIONS}}  # fmt: skip
    if param.metavar is None:
        named = {**CONTACT_OPTIONS, **TYPE_OPTIONS, **PLAN_OPTIONS}.get(flag)
        if flag in DATE_OPTIONS:
            named = DATE
        param.metavar = named or BY_TYPE.get(param.type.name)
    if flag in kinds:
        _completes(param, kinds[flag], several=flag == "--contacts")


class _PlainArgument(TyperArgument):
    def make_metavar(self, ctx: Context, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            var += "..."
        return f"[{var}]" if usage and not self.required else var


def _completes(param: Parameter, kind: str, several: bool = False) -> None:
    def complete(ctx: Context, _param: Parameter, incomplete: str) -> list[CompletionItem]:
        head, _, word = incomplete.rpartition(",") if several else ("", "", incomplete)
        prefix = f"{head}," if head else ""
        try:
            from benefit_cli.db.lookup import completions

            found = completions(_database(ctx), kind, word)
        except Exception:  # noqa: BLE001 - a completion fails silent, whatever went wrong
            return []
        return [CompletionItem(prefix + value, help=_help(name)) for value, name in found]

    # Click's attribute for the ``shell_complete=`` argument a parameter is made with.
    param._custom_shell_complete = complete


def _database(ctx: Context) -> Path:
    """The file the command being typed would use: its ``--db`` (or ``BENEFIT_DB``, which
    Click read into it), else the default."""
    given = ctx.find_root().params.get("db")
    if given:
        return Path(given)
    from benefit_cli.cli.common import db_path

    return db_path()


def _help(name: str | None) -> str | None:
    """A name shown beside a completion (zsh, fish): one line, no control characters, and
    no square brackets for Typer to read as markup."""
    if not name:
        return None
    from benefit_cli.render import printable

    return printable(name).replace("[", "(").replace("]", ")")
