"""``benefit report ...``"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    OutputOpt,
    StatementFormat,
    StatementFormatOpt,
    day,
    open_store,
    show,
    today,
)
from benefit_cli.cli.values import Whole

if TYPE_CHECKING:
    from benefit_cli.db.queries import Filters
    from benefit_cli.db.store import Store

app = typer.Typer(help="Reports for the screen and for spreadsheets.", no_args_is_help=True)

FromOpt = Annotated[str | None, typer.Option("--from", help="From this date.")]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="Up to this date, and balances as of it (default: today).")
]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="Only this contact.")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="Only this benefit type.")]
CategoryOpt = Annotated[str | None, typer.Option("--category", help="Only this category.")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="Only benefits granted by this plan.")]
# A hundred years ahead is further than any benefit runs; more overflows the calendar.
WITHIN = Whole("--within", 0, 36500, "a whole number of days")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")


def _filters(
    contact: str | None,
    type_: str | None,
    category: str | None,
    plan: str | None,
    from_: str | None,
    to: str | None,
) -> tuple[Store, Filters]:
    from benefit_cli.reports.reports import resolve_filters

    store = open_store()
    return store, resolve_filters(
        store, contact, type_, category, plan, day(from_, "--from"), day(to, "--to")
    )


@app.command("history")
def history(
    contact: ContactOpt = None,
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Every grant, allocation, use, void, adjustment and expiry, with running balances.

    Example: benefit report history --contact C000123 --type ROOM
    """
    from benefit_cli.reports.reports import history as history_

    store, filters = _filters(contact, type_, category, plan, from_, to)
    show(history_(store, filters, today()), fmt, output, limit, bom, delimiter)


@app.command("usage")
def usage(
    by: Annotated[
        list[str] | None, typer.Option(help="type, contact, month, category or event; repeat to combine.")
    ] = None,
    chart: Annotated[
        bool, typer.Option("--chart", help="Also draw the quantities as bars, one chart per unit.")
    ] = False,
    chart_value: Annotated[
        bool, typer.Option("--chart-value", help="Also draw the value (money) of what was used as bars.")
    ] = False,
    contact: ContactOpt = None,
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """What was used, grouped, most used first, with its value.

    Example: benefit report usage --by month --by type --from 2026-01-01 --chart
    """
    from benefit_cli.reports.reports import usage as usage_

    store, filters = _filters(contact, type_, category, plan, from_, to)
    rows = usage_(store, filters, by or ["type"])
    show(rows, fmt, output, limit, bom, delimiter)
    keys = rows.columns[: rows.columns.index("unit")]
    if chart or chart_value:
        from benefit_cli.render import bar_chart

    if chart:
        bar_chart(rows, keys, "quantity", per="unit")
    if chart_value:
        bar_chart(rows, keys, "value")


@app.command("balances")
def balances(
    contact: ContactOpt = None,
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """What every contact was granted, gave away, used and has left, per benefit.

    Example: benefit report balances --type GUESTPASS -f csv -o balances.csv
    """
    from benefit_cli.reports.reports import balances as balances_

    store, filters = _filters(contact, type_, category, plan, from_, to)
    show(balances_(store, filters, today()), fmt, output, limit, bom, delimiter)


@app.command("allocations")
def allocations(
    list_: Annotated[bool, typer.Option("--list", help="One row per allocation.")] = False,
    contact: ContactOpt = None,
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """How many of each benefit are allocated, and to how many people, as of --to (default
    today): declined and ended allocations do not count; --list shows every one with its status.

    Example: benefit report allocations --list --type REDUCED
    """
    from benefit_cli.reports.reports import allocations as allocations_

    store, filters = _filters(contact, type_, category, plan, from_, to)
    show(allocations_(store, filters, list_, today()), fmt, output, limit, bom, delimiter)


@app.command("statement")
def statement(
    contact: Annotated[str, typer.Argument(help="The member's ref or id.")],
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    on: Annotated[
        str | None, typer.Option("--on", help="As of this date, like --to (default: today).")
    ] = None,
    fmt: StatementFormatOpt = StatementFormat.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """A member's own statement: what they and the people they gave to used, what is left,
    what expires soon; -f html writes a page to print or send.

    Example: benefit report statement C000116 --on 2026-06-30 -f html -o statement.html
    """
    from benefit_cli.domain.errors import UsageError

    if on is not None and to is not None and on != to:
        raise UsageError("Give --on or --to, not both: each is the date the statement is as of.")
    day(on, "--on")  # refused as --on, what was typed, before it stands in for --to
    store, filters = _filters(None, type_, category, plan, from_, on or to)
    if fmt == StatementFormat.html:
        from benefit_cli.reports.statement_html import statement_page

        show(statement_page(store, contact, filters, today()), fmt, output)
        return
    from benefit_cli.reports.reports import statement as statement_

    show(statement_(store, contact, filters, today()), fmt, output, limit, bom, delimiter)


@app.command("expiring")
def expiring(
    within: Annotated[int, typer.Option(help="Days ahead to look.", parser=WITHIN)] = 30,
    contact: ContactOpt = None,
    type_: TypeOpt = None,
    category: CategoryOpt = None,
    plan: PlanOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Who loses what, and when: an outreach list of balances about to expire.

    Example: benefit report expiring --within 30 -f csv -o call-list.csv
    """
    from benefit_cli.reports.reports import expiring as expiring_

    store, filters = _filters(contact, type_, category, plan, from_, to)
    show(expiring_(store, filters, within, today()), fmt, output, limit, bom, delimiter)
