"""``benefit plan ...`` and ``benefit plan benefit ...``"""

from __future__ import annotations

from typing import Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    day,
    note,
    open_db,
    show,
    today,
)

app = typer.Typer(help="Membership plans and the benefits they give.", no_args_is_help=True)
benefit_app = typer.Typer(help="What a plan gives, effective-dated.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    app.add_typer(benefit_app, name="benefit")
    root.add_typer(app, name="plan")


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. FAMILY.")],
    name: Annotated[str, typer.Option(help="The plan's name.")],
    term: Annotated[int, typer.Option(help="Length of a membership in months.")],
    grace: Annotated[int, typer.Option(help="Days after the end its benefits still reach the member.")] = 0,
    price: Annotated[str | None, typer.Option(help="Price, e.g. 120.00.")] = None,
) -> None:
    """Add a membership plan.

    Example: benefit plan add FAMILY --name "Family" --term 12 --grace 30 --price 120.00
    """
    from benefit_cli.reports.lists import plan_rows
    from benefit_cli.services.catalog import add_plan

    plan = add_plan(open_db(), code, name, term, grace, price)
    note(f'Added plan "{plan.code}".')
    show(plan_rows([plan]))


@app.command("list")
def list_(
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List the plans.

    Example: benefit plan list
    """
    from benefit_cli.db.store import Store
    from benefit_cli.reports.lists import plan_rows

    show(plan_rows(Store(open_db()).list_plans()), fmt, limit=limit, bom=bom, delimiter=delimiter)


@benefit_app.command("add")
def benefit_add(
    plan: Annotated[str, typer.Argument(help="The plan's code.")],
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The benefit type's code.")],
    quantity: Annotated[str, typer.Option(help="How much per period, e.g. 4 or 25.00.")],
    per: Annotated[str, typer.Option(help="term, month, quarter or year.")] = "term",
    begin: Annotated[str | None, typer.Option(help="First day it applies (default: today).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day it applies (default: open-ended).")] = None,
    priority: Annotated[int | None, typer.Option(help="1-100; lower is drawn first (default 50).")] = None,
    associates: Annotated[
        bool, typer.Option("--associates", help="Shared with the business's people.")
    ] = False,
    price_portion: Annotated[str | None, typer.Option(help="Part of the plan price it stands for.")] = None,
    rollover_percent: Annotated[
        int | None, typer.Option(help="Percent of an unused balance carried over.")
    ] = None,
    rollover_max: Annotated[str | None, typer.Option(help="Most that is carried over.")] = None,
) -> None:
    """Say what a plan gives; an open-ended earlier rule is closed the day before.

    Example: benefit plan benefit add FAMILY GUESTPASS --quantity 6 --begin 2026-07-01
    """
    from benefit_cli.reports.lists import rule_rows
    from benefit_cli.services.catalog import add_rule, list_rules

    conn = open_db()
    added = add_rule(
        conn,
        plan,
        type_,
        quantity,
        per,
        day(begin, "--begin"),
        day(end, "--end"),
        priority,
        associates,
        price_portion,
        rollover_percent,
        rollover_max,
        today(),
    )
    if added.closed is not None:
        note(f"Closed rule {added.closed.id} on {added.closed.end_on}.")
    note(f"Added rule {added.rule.id}; memberships created from {added.rule.begin_on} get it.")
    found, _rules, types = list_rules(conn, plan)
    show(rule_rows(found, [added.rule], types))


@benefit_app.command("list")
def benefit_list(
    plan: Annotated[str, typer.Argument(help="The plan's code.")],
    current: Annotated[bool, typer.Option("--current", help="Only the rules in force today.")] = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List what a plan gives, past, present and future.

    Example: benefit plan benefit list FAMILY --current
    """
    from benefit_cli.reports.lists import rule_rows
    from benefit_cli.services.catalog import list_rules

    found, rules, types = list_rules(open_db(), plan, today() if current else None)
    show(rule_rows(found, rules, types), fmt, limit=limit, bom=bom, delimiter=delimiter)


@benefit_app.command("end")
def benefit_end(
    plan: Annotated[str, typer.Argument(help="The plan's code.")],
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The benefit type's code.")],
    on: Annotated[str, typer.Option(help="The last day the rule applies.")],
) -> None:
    """End-date a plan benefit (rules are never deleted).

    Example: benefit plan benefit end FAMILY GUESTPASS --on 2026-12-31
    """
    from benefit_cli.domain.dates import parse_iso
    from benefit_cli.services.catalog import end_rule

    ended = end_rule(open_db(), plan, type_, parse_iso(on, "--on"))
    note(f"Rule {ended.id} now ends on {ended.end_on}.")
