"""``benefit type ...``"""

from __future__ import annotations

from typing import Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    note,
    open_db,
    show,
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
    from benefit_cli.reports.lists import type_rows
    from benefit_cli.services.catalog import add_type

    added = add_type(
        open_db(), code, name, unit, category, value, kind or "standard", group, description, schedule
    )
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
    from benefit_cli.db.store import Store
    from benefit_cli.reports.lists import type_rows

    show(
        type_rows(Store(open_db()).list_types(include_retired=all_)),
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
    from benefit_cli.reports.lists import type_rows
    from benefit_cli.services.catalog import update_type

    updated = update_type(
        open_db(),
        code,
        name=name,
        unit=unit,
        category=category,
        value=value,
        kind=kind,
        group=group,
        description=description,
        schedule=schedule,
    )
    note(f'Updated benefit type "{updated.code}".')
    show(type_rows([updated]))


@app.command("retire")
def retire(code: Annotated[str, typer.Argument(help="The type's code.")]) -> None:
    """Retire a type: it can no longer be granted or used; its history stays.

    Example: benefit type retire PARKING
    """
    from benefit_cli.services.catalog import retire_type

    retired = retire_type(open_db(), code)
    note(f'Retired benefit type "{retired.code}".')


@app.command("delete")
def delete(code: Annotated[str, typer.Argument(help="The type's code.")]) -> None:
    """Delete a type that was never granted (otherwise retire it).

    Example: benefit type delete TYPO
    """
    from benefit_cli.services.catalog import delete_type

    deleted = delete_type(open_db(), code)
    note(f'Deleted benefit type "{deleted.code}".')
