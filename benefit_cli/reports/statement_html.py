"""A member's statement as one page to send or print: ``report statement C -f html``.

It is the statement of ``reports.statement_lines`` -- the same lines, figures and dates
as every other format of it -- written for the member rather than for staff: benefits
and people by their names, not codes and refs; what is left first, then what expires
soon, then who used what and the entries themselves. Notes and operators are not on a
statement in any format.

The page stands alone: its CSS is inline, it loads nothing (no script, image, font or
link), so it reads the same offline, in a mail attachment or on paper. Every value from
the database is HTML-escaped, after control and bidi characters are made visible, as a
terminal would show them: a name can never become markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store
from benefit_cli.domain.units import show_amount
from benefit_cli.render import Page, printable
from benefit_cli.reports.reports import STATEMENT_EXPIRY_DAYS, StatementLine, statement_lines

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1a1a1a; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; line-height: 1.4; }
header { border-bottom: 2px solid #1a1a1a; margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.meta { color: #555; margin: 0 0 .75rem; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ccc; vertical-align: top; }
th { border-bottom: 1.5px solid #1a1a1a; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.d { white-space: nowrap; }
.none { color: #555; font-style: italic; }
.soon td { background: #fff4d6; }
footer { color: #555; font-size: .85rem; margin-top: 2rem; border-top: 1px solid #ccc; padding-top: .5rem; }
@page { margin: 18mm 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  tr, h2 { page-break-inside: avoid; break-inside: avoid; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .soon td { background: none; font-weight: 600; }
}
"""


def statement_page(store: Store, contact_key: str, filters: Filters, today: dt.date) -> Page:
    """The statement of ``contact_key`` as of ``filters.date_to`` (default ``today``)."""
    contact = store.contacts.get(contact_key)
    on = filters.date_to or today
    lines = statement_lines(store, contact, filters, on)
    types = {t.code: t.name for t in store.catalog.types(include_retired=True)}
    people = {contact.ref: contact.name}
    for ref in {line.used_by for line in lines if line.used_by and line.used_by not in people}:
        people[ref] = store.contacts.get(ref).name

    def benefit(code: str) -> str:
        return types.get(code, code)

    def person(ref: str | None) -> str:
        return people.get(ref, ref) if ref else ""

    left = [line for line in lines if line.part == "left"]
    soon = [line for line in lines if line.part == "expiring"]
    entries = [line for line in lines if line.part == "entry"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Benefit statement for {_text(contact.name)} on {on}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>Benefit statement for {_text(contact.name)}</h1>",
        f'<p class="meta">As of {on}{_since(filters.date_from)} &middot; member {_text(contact.ref)}</p>',
        "</header>",
        "<main>",
        "<h2>What you have left</h2>",
        _table(
            ["Benefit", "Left"],
            [[benefit(line.type), show_amount(line.remaining, line.unit)] for line in left],
            "No benefits on this date.",
        ),
        f"<h2>Expiring within {STATEMENT_EXPIRY_DAYS} days</h2>",
        _table(
            ["Benefit", "Left to use", "Last day"],
            [[benefit(line.type), show_amount(line.remaining, line.unit), line.date] for line in soon],
            f"Nothing expires in the {STATEMENT_EXPIRY_DAYS} days after {on}.",
            row_class="soon",
        ),
        "<h2>Who used what</h2>",
        _table(
            ["Person", "Benefit", "Used"],
            [
                [person(ref), benefit(code), show_amount(total, unit)]
                for (ref, code, unit), total in _used_by_person(entries, contact.ref).items()
            ],
            "Nothing was used in this period.",
        ),
        "<h2>Everything in this period</h2>",
        _table(
            ["Date", "Benefit", "By", "Details", "Amount", "Left after"],
            [
                [
                    line.date,
                    benefit(line.type),
                    person(line.used_by),
                    line.description,
                    show_amount(line.quantity, line.unit),
                    show_amount(line.remaining, line.unit),
                ]
                for line in entries
            ],
            "No entries in this period.",
        ),
        "</main>",
        f"<footer>{_text(_money_note(lines))}Made on {today}.</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return Page("\n".join(parts), len(lines))


def _used_by_person(entries: Iterable[StatementLine], owner: str) -> dict[tuple[str, str, str], int]:
    """What each person used of each benefit (uses less their voids), the owner first."""
    totals: dict[tuple[str, str, str], int] = {}
    for line in entries:
        if line.kind in ("use", "void") and line.used_by:  # an adjustment or expiry is no one's use
            key = (line.used_by, line.type, line.unit)
            totals[key] = totals.get(key, 0) + line.quantity
    ordered = sorted(totals, key=lambda key: (key[0] != owner, key[0], key[1]))
    return {key: totals[key] for key in ordered if totals[key]}


def _money_note(lines: Iterable[StatementLine]) -> str:
    if any(line.unit == "money" for line in lines):
        return "Amounts of money are in your organization's currency. "
    return ""


def _since(date_from: dt.date | None) -> str:
    return f", from {date_from}" if date_from else ""


def _text(value: object) -> str:
    """A value as the page shows it: control and bidi characters visible, then escaped."""
    return escape(printable("" if value is None else str(value)), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str, row_class: str = "") -> str:
    if not rows:
        return f'<p class="none">{_text(empty)}</p>'
    numeric = {"Left", "Left to use", "Used", "Amount", "Left after"}
    cells = "".join(f'<th{_class(h, numeric)} scope="col">{_text(h)}</th>' for h in headers)
    body = []
    row_attr = f' class="{row_class}"' if row_class else ""
    for row in rows:
        tds = "".join(
            f"<td{_class(h, numeric)}>{_text(value)}</td>" for h, value in zip(headers, row, strict=True)
        )
        body.append(f"<tr{row_attr}>{tds}</tr>")
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def _class(header: str, numeric: set[str]) -> str:
    if header in numeric:
        return ' class="n"'
    return ' class="d"' if header in ("Date", "Last day") else ""
