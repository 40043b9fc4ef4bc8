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
    open_store,
    show,
    today,
    transaction,
)
from benefit_cli.cli.values import PRIORITY, Whole

app = typer.Typer(help="Membership plans and the benefits they give.", no_args_is_help=True)
benefit_app = typer.Typer(help="What a plan gives, effective-dated.", no_args_is_help=True)

# A lifetime membership is a term of a century at most; a grace period, of a few years.
TERM = Whole("--term", 1, 1200, "a whole number of months")
GRACE = Whole("--grace", 0, 3650, "a whole number of days")
ROLLOVER_PERCENT = Whole("--rollover-percent", 0, 100)


def register(root: typer.Typer) -> None:
    app.add_typer(benefit_app, name="benefit")
    root.add_typer(app, name="plan")


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. FAMILY.")],
    name: Annotated[str, typer.Option(help="The plan's name.")],
    term: Annotated[int, typer.Option(help="Length of a membership in months.", parser=TERM)],
    grace: Annotated[
        int, typer.Option(help="Days after the end its benefits still reach the member.", parser=GRACE)
    ] = 0,
    price: Annotated[str | None, typer.Option(help="Price, e.g. 120.00.")] = None,
) -> None:
    """Add a membership plan.

    Example: benefit plan add FAMILY --name "Family" --term 12 --grace 30 --price 120.00
    """
    from benefit_cli.cli import values
    from benefit_cli.reports.lists import plan_rows
    from benefit_cli.services.catalog import add_plan

    code = values.code(code, "The plan code")
    cents = values.money(price, "--price")
    with transaction() as tx:
        plan = add_plan(tx, code, name.strip(), term, grace, cents)
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
    from benefit_cli.reports.lists import plan_rows

    show(plan_rows(open_store().catalog.plans()), fmt, limit=limit, bom=bom, delimiter=delimiter)


@benefit_app.command("add")
def benefit_add(
    plan: Annotated[str, typer.Argument(help="The plan's code.")],
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The benefit type's code.")],
    quantity: Annotated[str, typer.Option(help="How much per period, e.g. 4 or 25.00.")],
    per: Annotated[str, typer.Option(help="term, month, quarter or year.")] = "term",
    begin: Annotated[str | None, typer.Option(help="First day it applies (default: today).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day it applies (default: open-ended).")] = None,
    priority: Annotated[
        int | None, typer.Option(help="1-100; lower is drawn first (default 50).", parser=PRIORITY)
    ] = None,
    associates: Annotated[
        bool, typer.Option("--associates", help="Shared with the business's people.")
    ] = False,
    price_portion: Annotated[str | None, typer.Option(help="Part of the plan price it stands for.")] = None,
    rollover_percent: Annotated[
        int | None, typer.Option(help="Percent of an unused balance carried over.", parser=ROLLOVER_PERCENT)
    ] = None,
    rollover_max: Annotated[str | None, typer.Option(help="Most that is carried over.")] = None,
) -> None:
    """Say what a plan gives; an open-ended earlier rule is closed the day before.

    Example: benefit plan benefit add FAMILY GUESTPASS --quantity 6 --begin 2026-07-01
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.models import PERIODS
    from benefit_cli.reports.lists import rule_rows
    from benefit_cli.services.catalog import add_rule

    per = values.choice(per, PERIODS, "--per")
    begin_on, end_on = day(begin, "--begin") or today(), day(end, "--end")
    with transaction() as tx:
        found, benefit_type = tx.catalog.plan(plan), tx.catalog.type(type_)
        unit = benefit_type.unit
        added = add_rule(
            tx,
            found,
            benefit_type,
            values.quantity(quantity, unit),
            per,
            begin_on,
            end_on,
            priority,
            associates,
            values.money(price_portion, "--price-portion") if price_portion else None,
            rollover_percent,
            values.quantity(rollover_max, unit, "--rollover-max") if rollover_max else None,
        )
        types = tx.catalog.types_by_id()
    if added.closed is not None:
        note(f"Closed rule {added.closed.id} on {added.closed.end_on}.")
    note(f"Added rule {added.rule.id}; memberships created from {added.rule.begin_on} get it.")
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

    store = open_store()
    found = store.catalog.plan(plan)
    rules = store.catalog.rules(found.id)
    if current:
        rules = [rule for rule in rules if rule.effective_on(today())]
    show(rule_rows(found, rules, store.catalog.types_by_id()), fmt, limit=limit, bom=bom, delimiter=delimiter)


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

    last_day = parse_iso(on, "--on")
    with transaction() as tx:
        ended = end_rule(tx, tx.catalog.plan(plan), tx.catalog.type(type_), last_day)
    note(f"Rule {ended.id} now ends on {ended.end_on}.")
