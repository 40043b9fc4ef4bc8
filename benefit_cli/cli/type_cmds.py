"""``benefit type ...``"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    note,
    open_store,
    show,
    transaction,
)

app = typer.Typer(help="The catalog of benefit types.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="type")


Name = Annotated[str | None, typer.Option(help="The name members see.")]
Unit = Annotated[str | None, typer.Option(help="count, minutes, money or pages.")]
Category = Annotated[str | None, typer.Option(help="A grouping for reports, e.g. admissions.")]
Value = Annotated[str | None, typer.Option(help="Money value of one unit, e.g. 18.00.")]
Kind = Annotated[str | None, typer.Option(help="standard, event, subscription or card.")]
Group = Annotated[str | None, typer.Option(help="Exclusive group: a new card of it ends the older one.")]
Description = Annotated[str | None, typer.Option(help="What members are told about it.")]
Schedule = Annotated[str | None, typer.Option(help="Issue schedule of a subscription (RRULE).")]


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. GUESTPASS.")],
    name: Annotated[str, typer.Option(help="The name members see.")],
    unit: Annotated[str, typer.Option(help="count, minutes, money or pages.")],
    category: Annotated[str, typer.Option(help="A grouping for reports, e.g. admissions.")],
    value: Value = None,
    kind: Kind = "standard",
    group: Group = None,
    description: Description = None,
    schedule: Schedule = None,
) -> None:
    """Add a benefit type to the catalog.

    Example: benefit type add GUESTPASS --name "Guest pass" --unit count --category admissions --value 18.00
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.domain.models import KINDS, UNITS
    from benefit_cli.reports.lists import type_rows
    from benefit_cli.services.catalog import add_type

    code = values.code(code, "The type code")
    unit = values.choice(unit, UNITS, "--unit")
    unit_value = values.money(value, "--value")
    kind = values.choice(kind or "standard", KINDS, "--kind")
    if not name.strip():
        raise UsageError("--name must not be empty.")
    with transaction() as tx:
        added = add_type(
            tx, code, name.strip(), unit, category.strip(), unit_value, kind,
            _group(group), description, _schedule(schedule),
        )  # fmt: skip
    note(f'Added benefit type "{added.code}".')
    show(type_rows([added]))


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include retired types.")] = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List the catalog.

    Example: benefit type list --all
    """
    from benefit_cli.reports.lists import type_rows

    show(
        type_rows(open_store().catalog.types(include_retired=all_)),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )


@app.command("update")
def update(
    code: Annotated[str, typer.Argument(help="The type's code.")],
    name: Name = None,
    unit: Unit = None,
    category: Category = None,
    value: Value = None,
    kind: Kind = None,
    group: Group = None,
    description: Description = None,
    schedule: Schedule = None,
) -> None:
    """Change a benefit type; levels already granted keep their unit value.

    Example: benefit type update GUESTPASS --value 20.00
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.domain.models import KINDS, UNITS
    from benefit_cli.reports.lists import type_rows
    from benefit_cli.services.catalog import update_type

    given = {
        "name": name,
        "category": category,
        "unit": unit,
        "unit_value": value,
        "kind": kind,
        "exclusive_group": group,
        "description": description,
        "schedule": schedule,
    }
    parse: dict[str, Callable[[str], object]] = {
        "unit": lambda text: values.choice(text, UNITS, "--unit"),
        "unit_value": lambda text: values.money(text, "--value"),
        "kind": lambda text: values.choice(text, KINDS, "--kind"),
        "exclusive_group": _group,  # "" clears it
        "schedule": _schedule,
    }
    changes = {
        column: parse.get(column, lambda text: text)(text)
        for column, text in given.items()
        if text is not None
    }
    if not changes:
        raise UsageError("Nothing to update: give at least one option, e.g. --name or --value.")
    with transaction() as tx:
        updated = update_type(tx, tx.catalog.type(code), changes)
    note(f'Updated benefit type "{updated.code}".')
    show(type_rows([updated]))


@app.command("retire")
def retire(code: Annotated[str, typer.Argument(help="The type's code.")]) -> None:
    """Retire a type: it can no longer be granted or used; its history stays.

    Example: benefit type retire PARKING
    """
    from benefit_cli.services.catalog import retire_type

    with transaction() as tx:
        retired = retire_type(tx, tx.catalog.type(code))
    note(f'Retired benefit type "{retired.code}".')


@app.command("delete")
def delete(code: Annotated[str, typer.Argument(help="The type's code.")]) -> None:
    """Delete a type that was never granted (otherwise retire it).

    Example: benefit type delete TYPO
    """
    from benefit_cli.services.catalog import delete_type

    with transaction() as tx:
        deleted = delete_type(tx, tx.catalog.type(code))
    note(f'Deleted benefit type "{deleted.code}".')


def _group(group: str | None) -> str | None:
    """An exclusive group's name, upper-case; empty means none."""
    return (group or "").strip().upper() or None


def _schedule(schedule: str | None) -> str | None:
    if not schedule:
        return None
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.domain.schedule import check_schedule

    try:
        return check_schedule(schedule)
    except ValueError as exc:
        raise UsageError(f"--schedule {exc}") from None
