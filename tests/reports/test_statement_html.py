"""``report statement CONTACT -f html``: one page a member can read, print or receive by
mail. Its figures are the statement's (the JSON of the same statement is the reference),
written with names instead of refs and codes; it loads nothing from anywhere, and every
value from the database is escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import KID_NOTE, NOTE, OPERATOR, Cli, report


class Page(HTMLParser):
    """The tags and attributes of a page, and its tables by the heading above each."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, list[list[str]]] = {}
        self.said: dict[str, str] = {}  # a section's sentence where it has no table
        self.heading: str | None = None
        self._text: list[str] | None = None
        self._where = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "td", "th", "p", "title"):
            self._text, self._where = [], tag
        if tag == "tr" and self.heading is not None:
            self.sections.setdefault(self.heading, []).append([])

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is None or tag != self._where:
            return
        text = "".join(self._text)
        self._text = None
        if tag == "h2":
            self.heading = text
        elif tag == "td" and self.heading is not None:
            self.sections[self.heading][-1].append(text)
        elif tag == "p" and self.heading is not None:
            self.said[self.heading] = text
        elif tag in ("h1", "title"):
            self.said[tag] = text

    def table(self, heading: str) -> list[list[str]]:
        return [row for row in self.sections.get(heading, []) if row]  # without the header row


def statement_page(cli: Cli, *args: Any) -> tuple[str, Page]:
    text = cli("report", "statement", *args, "-f", "html").stdout
    return text, Page(text)


def test_the_page_has_the_statement_figures_with_names_for_codes_and_refs(cli: Cli, report_world) -> None:
    text, page = statement_page(cli, "ANN")
    lines = report(cli, "statement", "ANN")
    assert page.said["h1"] == "Benefit statement for Ann Owner"
    assert page.said["title"] == "Benefit statement for Ann Owner on 2026-05-15"

    names = {"GUEST": "Guest pass", "CREDIT": "Shop credit", "ROOM": "Meeting room"}

    def shown(value: Any, code: str) -> str:  # as a member reads it: 12.50, 2, 117 minutes
        return f"{value:.2f}" if code == "CREDIT" else f"{value} minutes" if code == "ROOM" else str(value)

    left = [[names[line["type"]], shown(line["remaining"], line["type"])]
            for line in lines if line["description"].startswith("Left on")]
    assert page.table("What you have left") == left == [
        ["Shop credit", "37.50"], ["Guest pass", "0"], ["Meeting room", "117 minutes"]]
    assert page.table("Expiring within 60 days") == [["Meeting room", "117 minutes", "2026-07-01"]]

    people = {"ANN": "Ann Owner", "BOB": "Bob Kid", "DEE": "Dee Delegate", None: ""}
    entries = [line for line in lines if not line["description"].startswith(("Left on", "Expires on"))]
    assert len(entries) == 8  # six uses, a void and an adjustment
    assert page.table("Everything in this period") == [
        [line["date"], names[line["type"]], people[line["used_by"]], line["description"],
         shown(line["quantity"], line["type"]), shown(line["remaining"], line["type"])]
        for line in entries]
    assert page.table("Who used what") == [
        ["Ann Owner", "Shop credit", "12.50"],   # 12.50 + 7.25 - 7.25 voided
        ["Ann Owner", "Guest pass", "2"],
        ["Bob Kid", "Guest pass", "1"],
        ["Dee Delegate", "Guest pass", "1"],
    ]
    cells = {cell for rows in page.sections.values() for row in rows for cell in row}
    assert not cells & {"GUEST", "CREDIT", "ROOM", "BOB", "DEE"}  # never a code or a ref in a table
    assert "Amounts of money are in your organization&#x27;s currency." in text


def test_the_page_is_self_contained(cli: Cli, report_world) -> None:
    text, page = statement_page(cli, "ANN")
    assert text.startswith("<!DOCTYPE html>\n") and text.rstrip().endswith("</html>")
    tags = {tag for tag, _ in page.tags}
    assert {"html", "head", "style", "body", "table"} <= tags
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "svg", "base", "form"}
    assert all(not {"src", "href", "srcset", "action"} & attrs.keys() for _, attrs in page.tags)
    assert not re.search(r"url\(|@import|https?://", text)
    [(_, meta)] = [(tag, attrs) for tag, attrs in page.tags if tag == "meta" and "charset" in attrs]
    assert meta["charset"] == "utf-8"
    assert "@media print" in text


def test_the_page_never_shows_a_note_or_an_operator(cli: Cli, report_world) -> None:
    for contact in ("ANN", "BOB", "DEE"):
        text, _ = statement_page(cli, contact)
        for secret in (NOTE, "INTERNAL", KID_NOTE, OPERATOR, "Olga", "tester"):
            assert secret not in text, (contact, secret)


def test_every_value_is_escaped(cli: Cli, db: Path) -> None:
    cli("type", "add", "PASS", "--name", "<i>Pass</i> & co", "--unit", "count", "--category", "x")
    cli("contact", "add", '<script>alert("x")</script> & "Sons"', "--ref", "EVIL")
    cli("contact", "add", "Kid \x1b[2J\u202eevil", "--ref", "KID")
    cli("level", "add", "EVIL", "PASS", "--quantity", "3", "--start", "2026-01-01", "--expires", "2026-12-31")
    cli("allocate", "1", "KID", "--number", "1")
    cli("use", "KID", "PASS", "--on", "2026-02-01", "--description", "<img src=x onerror=alert(1)>")
    text, page = statement_page(cli, "EVIL", "--on", "2026-03-01")
    assert {tag for tag, _ in page.tags}.isdisjoint({"script", "img", "i"})
    assert page.said["h1"] == 'Benefit statement for <script>alert("x")</script> & "Sons"'
    [use] = page.table("Everything in this period")
    assert use[1:4] == ["<i>Pass</i> & co", "Kid \\x1b[2J\\u202eevil", "<img src=x onerror=alert(1)>"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Sons&quot;" in text
    assert "\x1b" not in text and "\u202e" not in text


def test_a_statement_with_nothing_to_show_says_so(cli: Cli, empty_ledger: Path) -> None:
    _, page = statement_page(cli, "N1")
    assert page.said == {
        "title": page.said["title"], "h1": "Benefit statement for Nobody Yet",
        "What you have left": "No benefits on this date.",
        "Expiring within 60 days": page.said["Expiring within 60 days"],
        "Who used what": "Nothing was used in this period.",
        "Everything in this period": "No entries in this period.",
    }


def test_the_page_is_written_whole_to_the_output_file(cli: Cli, report_world, tmp_path: Path) -> None:
    target = tmp_path / "statement.html"
    result = cli("report", "statement", "ANN", "--on", "2026-05-15", "-f", "html", "-o", target)
    assert result.stdout == ""
    assert result.stderr.startswith("Wrote ") and str(target) in result.stderr
    assert target.read_text(encoding="utf-8") == cli("report", "statement", "ANN", "-f", "html").stdout


@pytest.mark.parametrize("option", [["--bom"], ["--delimiter", ";"]])
def test_spreadsheet_options_do_not_shape_a_page(cli: Cli, report_world, option: list[str]) -> None:
    result = cli("report", "statement", "ANN", "-f", "html", *option, code=2)
    assert len(result.error_lines) == 1 and "only" in result.error_lines[0]


def test_html_is_a_format_of_the_statement_only(cli: Cli, report_world) -> None:
    result = cli("report", "balances", "-f", "html", code=2)
    assert len(result.error_lines) == 1
