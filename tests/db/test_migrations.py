"""Schema migrations: an old file opens and is upgraded in place, its data kept; the whole
schema is written out below, so a schema change without a test change fails here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from benefit_cli.db.connection import connect, migrate, schema_version
from benefit_cli.db.migrations import migrations
from benefit_cli.domain.errors import BenefitError

EXPECTED_MIGRATIONS = [
    (1, "foundation"), (2, "ledger"), (3, "balance views"), (4, "history view"),
    (5, "balances as of a date"),
    (6, "runs find what is due"),
    (7, "subscriptions"),
    (8, "events"),
    (9, "dated allocations and membership delegates"),
    (10, "levels by type and start"),
    (11, "views read the ledger in one pass"),
    (12, "ledger index covers balances"),
    (13, "levels index covers drawing"),
]

_AUDIT = ["created_at TEXT NOT NULL", "created_by TEXT NOT NULL"]
_UPDATED = ["updated_at TEXT", "updated_by TEXT"]

# Each column as "name TYPE [NOT NULL] [DEFAULT x] [PK]", in table order.
EXPECTED_TABLES: dict[str, list[str]] = {
    "migrations": [
        "number INTEGER PK", "name TEXT NOT NULL", "applied_at TEXT NOT NULL",
        "applied_by TEXT NOT NULL",
    ],
    "contacts": [
        "id INTEGER PK", "ref TEXT NOT NULL", "name TEXT NOT NULL",
        "kind TEXT NOT NULL DEFAULT 'person'", "business_id INTEGER", "email TEXT",
        "joined_on TEXT", *_AUDIT, *_UPDATED,
    ],
    "benefit_types": [
        "id INTEGER PK", "code TEXT NOT NULL", "name TEXT NOT NULL", "category TEXT NOT NULL",
        "unit TEXT NOT NULL", "unit_value INTEGER NOT NULL DEFAULT 0",
        "kind TEXT NOT NULL DEFAULT 'standard'", "exclusive_group TEXT", "description TEXT",
        "schedule TEXT", "active INTEGER NOT NULL DEFAULT 1", *_AUDIT, *_UPDATED,
    ],
    "plans": [
        "id INTEGER PK", "code TEXT NOT NULL", "name TEXT NOT NULL",
        "term_months INTEGER NOT NULL", "grace_days INTEGER NOT NULL DEFAULT 0",
        "price INTEGER NOT NULL DEFAULT 0", *_AUDIT,
    ],
    "plan_benefits": [
        "id INTEGER PK", "plan_id INTEGER NOT NULL", "type_id INTEGER NOT NULL",
        "quantity INTEGER NOT NULL", "per TEXT NOT NULL DEFAULT 'term'", "begin_on TEXT NOT NULL",
        "end_on TEXT", "priority INTEGER NOT NULL DEFAULT 50",
        "associates INTEGER NOT NULL DEFAULT 0", "price_portion INTEGER",
        "rollover_percent INTEGER", "rollover_max INTEGER", *_AUDIT, *_UPDATED,
    ],
    "memberships": [
        "id INTEGER PK", "contact_id INTEGER NOT NULL", "plan_id INTEGER NOT NULL",
        "start_on TEXT NOT NULL", "end_on TEXT NOT NULL", "grace_end_on TEXT NOT NULL",
        "renewed_from INTEGER", "cancelled_on TEXT", *_AUDIT, *_UPDATED, "renewed_by INTEGER",
    ],
    "levels": [
        "id INTEGER PK", "contact_id INTEGER NOT NULL", "type_id INTEGER NOT NULL",
        "quantity INTEGER NOT NULL", "starts_on TEXT NOT NULL", "expires_on TEXT NOT NULL",
        "source TEXT NOT NULL", "priority INTEGER NOT NULL DEFAULT 50",
        "unit_value INTEGER NOT NULL DEFAULT 0", "membership_id INTEGER",
        "plan_benefit_id INTEGER", "cancelled_on TEXT", *_AUDIT, "settled_on TEXT",
    ],
    "allocations": [
        "id INTEGER PK", "level_id INTEGER NOT NULL", "contact_id INTEGER NOT NULL",
        "number INTEGER NOT NULL", "starts_on TEXT NOT NULL", "stops_on TEXT NOT NULL",
        "response TEXT", "response_on TEXT", "delivered_on TEXT", "comment TEXT",
        "active INTEGER NOT NULL DEFAULT 1", "ended_on TEXT", *_AUDIT, *_UPDATED,
    ],
    "delegates": [
        "id INTEGER PK", "level_id INTEGER", "membership_id INTEGER", "contact_id INTEGER NOT NULL",
        *_AUDIT, "removed_at TEXT", "removed_by TEXT",
    ],
    "entries": [
        "id INTEGER PK", "kind TEXT NOT NULL", "level_id INTEGER NOT NULL",
        "allocation_id INTEGER", "contact_id INTEGER NOT NULL", "entry_on TEXT NOT NULL",
        "quantity INTEGER NOT NULL", "voids_id INTEGER", "description TEXT", "note TEXT",
        "source TEXT NOT NULL", "ref TEXT", "fingerprint TEXT", "operator TEXT NOT NULL",
        "created_at TEXT NOT NULL",
    ],
    "deliveries": [
        "id INTEGER PK", "contact_id INTEGER NOT NULL", "type_id INTEGER NOT NULL",
        "issue_date TEXT NOT NULL",
        "level_id INTEGER NOT NULL", "delivered_on TEXT NOT NULL", *_AUDIT,
    ],
    "subscription_issues": [
        "type_id INTEGER NOT NULL PK", "issue_date TEXT NOT NULL PK", "levels_through INTEGER NOT NULL",
    ],
    "subscription_optouts": [
        "id INTEGER PK", "contact_id INTEGER NOT NULL", "type_id INTEGER NOT NULL",
        "opted_out_on TEXT NOT NULL", "opted_in_on TEXT", *_AUDIT, *_UPDATED,
    ],
    "events": [
        "id INTEGER PK", "code TEXT NOT NULL", "name TEXT NOT NULL", "held_on TEXT NOT NULL", *_AUDIT,
    ],
    "registration_types": [
        "id INTEGER PK", "event_id INTEGER NOT NULL", "name TEXT NOT NULL", "type_id INTEGER",
        "quantity INTEGER", *_AUDIT,
    ],
    "registrations": [
        "id INTEGER PK", "event_id INTEGER NOT NULL", "contact_id INTEGER NOT NULL",
        "regtype_id INTEGER NOT NULL", "covered INTEGER NOT NULL DEFAULT 0", "entry_id INTEGER",
        "ref TEXT NOT NULL", "cancelled_on TEXT", *_AUDIT, *_UPDATED,
    ],
}

# "table.column -> other.column"
EXPECTED_FOREIGN_KEYS = {
    "deliveries.contact_id -> contacts.id",
    "deliveries.type_id -> benefit_types.id",
    "deliveries.level_id -> levels.id",
    "subscription_issues.type_id -> benefit_types.id",
    "subscription_optouts.contact_id -> contacts.id",
    "subscription_optouts.type_id -> benefit_types.id",
    "contacts.business_id -> contacts.id",
    "plan_benefits.plan_id -> plans.id",
    "plan_benefits.type_id -> benefit_types.id",
    "memberships.contact_id -> contacts.id",
    "memberships.plan_id -> plans.id",
    "memberships.renewed_from -> memberships.id",
    "memberships.renewed_by -> memberships.id",
    "levels.contact_id -> contacts.id",
    "levels.type_id -> benefit_types.id",
    "levels.membership_id -> memberships.id",
    "levels.plan_benefit_id -> plan_benefits.id",
    "allocations.level_id -> levels.id",
    "allocations.contact_id -> contacts.id",
    "delegates.level_id -> levels.id",
    "delegates.membership_id -> memberships.id",
    "delegates.contact_id -> contacts.id",
    "entries.level_id -> levels.id",
    "entries.allocation_id -> allocations.id",
    "entries.contact_id -> contacts.id",
    "entries.voids_id -> entries.id",
    "registration_types.event_id -> events.id",
    "registration_types.type_id -> benefit_types.id",
    "registrations.event_id -> events.id",
    "registrations.contact_id -> contacts.id",
    "registrations.regtype_id -> registration_types.id",
    "registrations.entry_id -> entries.id",
}

# "table.index [UNIQUE] [PARTIAL] (columns)"; sqlite_autoindex_* come from UNIQUE columns.
EXPECTED_INDEXES = {
    "contacts.contacts_business (business_id)",
    "contacts.contacts_joined_on (joined_on)",
    "contacts.sqlite_autoindex_contacts_1 UNIQUE (ref)",
    "benefit_types.sqlite_autoindex_benefit_types_1 UNIQUE (code)",
    "plans.sqlite_autoindex_plans_1 UNIQUE (code)",
    "plan_benefits.plan_benefits_plan_type (plan_id, type_id, begin_on)",
    "plan_benefits.plan_benefits_type (type_id)",
    "memberships.memberships_contact_plan_start UNIQUE (contact_id, plan_id, start_on)",
    "memberships.memberships_plan (plan_id, start_on)",
    "memberships.sqlite_autoindex_memberships_1 UNIQUE (renewed_from)",
    "memberships.memberships_due PARTIAL (end_on)",
    "levels.levels_contact_type"
    " (contact_id, type_id, starts_on, priority, expires_on, cancelled_on, quantity)",
    "levels.levels_membership (membership_id)",
    "levels.levels_type_start (type_id, starts_on)",
    "levels.levels_open PARTIAL (expression)",  # by last usable day
    "allocations.allocations_level (level_id)",
    "allocations.allocations_contact (contact_id)",
    "delegates.delegates_current UNIQUE PARTIAL (level_id, contact_id)",
    "delegates.delegates_membership_current UNIQUE PARTIAL (membership_id, contact_id)",
    "delegates.delegates_contact (contact_id)",
    "entries.entries_level (level_id, allocation_id, quantity, kind)",
    "entries.entries_allocation PARTIAL (allocation_id)",
    "entries.entries_contact (contact_id, entry_on)",
    "entries.entries_ref PARTIAL (ref)",
    "entries.sqlite_autoindex_entries_1 UNIQUE (voids_id)",
    "deliveries.sqlite_autoindex_deliveries_1 UNIQUE (contact_id, type_id, issue_date)",
    "deliveries.deliveries_type (type_id, issue_date)",
    "subscription_issues.sqlite_autoindex_subscription_issues_1 UNIQUE (type_id, issue_date)",
    "subscription_optouts.subscription_optouts_contact (contact_id, type_id)",
    "subscription_optouts.subscription_optouts_current UNIQUE PARTIAL (contact_id, type_id)",
    "events.sqlite_autoindex_events_1 UNIQUE (code)",
    "registration_types.sqlite_autoindex_registration_types_1 UNIQUE (event_id, name)",
    "registration_types.registration_types_type PARTIAL (type_id)",
    "registrations.sqlite_autoindex_registrations_1 UNIQUE (ref)",
    "registrations.registrations_event (event_id)",
}

EXPECTED_TRIGGERS = {
    "allocations.allocations_within_level_insert",
    "allocations.allocations_within_level_update",
    "entries.entries_append_only_update",
    "entries.entries_append_only_delete",
}

EXPECTED_VIEWS = {"balances", "history"}


def describe_column(column: sqlite_utils.db.Column) -> str:
    parts = [column.name, column.type]
    if column.notnull:
        parts.append("NOT NULL")
    if column.default_value is not None:
        parts.append(f"DEFAULT {column.default_value}")
    if column.is_pk:
        parts.append("PK")
    return " ".join(parts)


def describe_schema(conn: sqlite3.Connection) -> dict[str, object]:
    db = sqlite_utils.Database(conn)
    tables = {t.name: [describe_column(c) for c in t.columns] for t in db.tables}
    foreign_keys = {
        f"{fk.table}.{fk.column} -> {fk.other_table}.{fk.other_column}"
        for t in db.tables for fk in t.foreign_keys
    }
    indexes = {
        f"{t.name}.{i.name}{' UNIQUE' if i.unique else ''}{' PARTIAL' if i.partial else ''}"
        f" ({', '.join(column or 'expression' for column in i.columns)})"
        for t in db.tables for i in t.indexes
    }
    triggers = {f"{tr.table}.{tr.name}" for tr in db.triggers}
    return {"tables": tables, "foreign_keys": foreign_keys, "indexes": indexes,
            "triggers": triggers, "views": set(db.view_names())}


EXPECTED_SCHEMA = {
    "tables": EXPECTED_TABLES,
    "foreign_keys": EXPECTED_FOREIGN_KEYS,
    "indexes": EXPECTED_INDEXES,
    "triggers": EXPECTED_TRIGGERS,
    "views": EXPECTED_VIEWS,
}


def first_migration_only(path: Path) -> None:
    """A file as the very first release wrote it, with some data in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=1, operator="v1")
    assert schema_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "entries" not in tables  # the upgrade below really has work to do
    stamp = "'2026-01-01T00:00:00+00:00', 'v1'"
    for sql in [
        f"INSERT INTO contacts (id, ref, name, kind, created_at, created_by) VALUES"
        f" (1, 'C1', 'Ada', 'person', {stamp}), (2, 'B1', 'Acme', 'business', {stamp})",
        f"INSERT INTO benefit_types (id, code, name, category, unit, unit_value, created_at,"
        f" created_by) VALUES (1, 'GUESTPASS', 'Guest pass', 'admissions', 'count', 1800, {stamp})",
        f"INSERT INTO plans (id, code, name, term_months, grace_days, price, created_at,"
        f" created_by) VALUES (1, 'IND', 'Individual', 12, 30, 6500, {stamp})",
        f"INSERT INTO plan_benefits (id, plan_id, type_id, quantity, begin_on, created_at,"
        f" created_by) VALUES (1, 1, 1, 4, '2026-01-01', {stamp})",
        f"INSERT INTO memberships (id, contact_id, plan_id, start_on, end_on, grace_end_on,"
        f" created_at, created_by) VALUES (1, 1, 1, '2026-03-01', '2027-02-28', '2027-03-30',"
        f" {stamp})",
        f"INSERT INTO levels (id, contact_id, type_id, quantity, starts_on, expires_on, source,"
        f" unit_value, membership_id, plan_benefit_id, created_at, created_by) VALUES"
        f" (1, 1, 1, 4, '2026-03-01', '2027-02-28', 'plan', 1800, 1, 1, {stamp})",
        f"INSERT INTO allocations (id, level_id, contact_id, number, starts_on, stops_on,"
        f" created_at, created_by) VALUES (1, 1, 2, 1, '2026-03-01', '2027-02-28', {stamp})",
        f"INSERT INTO delegates (id, level_id, contact_id, created_at, created_by) VALUES"
        f" (1, 1, 2, {stamp})",
    ]:
        conn.execute(sql)
    conn.close()


V1_DATA = {
    "contacts": [(1, "C1", "Ada"), (2, "B1", "Acme")],
    "benefit_types": [(1, "GUESTPASS", 1800)],
    "plans": [(1, "IND", 12)],
    "plan_benefits": [(1, 1, 1, 4)],
    "memberships": [(1, 1, 1, "2026-03-01")],
    "levels": [(1, 1, 1, 4)],
    "allocations": [(1, 1, 2, 1)],
    "delegates": [(1, 1, 2)],
}
V1_COLUMNS = {
    "contacts": "id, ref, name",
    "benefit_types": "id, code, unit_value",
    "plans": "id, code, term_months",
    "plan_benefits": "id, plan_id, type_id, quantity",
    "memberships": "id, contact_id, plan_id, start_on",
    "levels": "id, contact_id, type_id, quantity",
    "allocations": "id, level_id, contact_id, number",
    "delegates": "id, level_id, contact_id",
}


def read_v1_data(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {table: [tuple(r) for r in conn.execute(f"SELECT {V1_COLUMNS[table]} FROM {table}"
                                                   " ORDER BY id")]
            for table in V1_DATA}


def test_migrations_are_numbered_from_one_and_never_renamed():
    assert [(m.number, m.name) for m in migrations()] == EXPECTED_MIGRATIONS


def test_a_first_migration_database_opens_and_is_upgraded_to_the_latest(tmp_path):
    path = tmp_path / "v1.db"
    first_migration_only(path)
    conn = connect(path)
    assert schema_version(conn) == migrations()[-1].number
    listed = [tuple(r) for r in conn.execute("SELECT number, name FROM migrations ORDER BY number")]
    assert listed == [(m.number, m.name) for m in migrations()]
    by = [r[0] for r in conn.execute("SELECT applied_by FROM migrations ORDER BY number")]
    assert by[0] == "v1" and all(by)


def test_data_written_at_version_one_survives_the_upgrade(tmp_path):
    path = tmp_path / "v1.db"
    first_migration_only(path)
    conn = connect(path)
    assert read_v1_data(conn) == V1_DATA
    assert [r[0] for r in conn.execute("PRAGMA foreign_key_check")] == []


def test_the_upgraded_schema_is_the_expected_schema(tmp_path):
    path = tmp_path / "v1.db"
    first_migration_only(path)
    assert describe_schema(connect(path)) == EXPECTED_SCHEMA


@pytest.mark.parametrize("made_by", range(1, len(migrations())))
def test_a_database_made_by_every_earlier_version_upgrades_to_the_same_schema(tmp_path, made_by):
    """Views included: a database made at any schema opens with the text a new one has."""
    path = tmp_path / f"v{made_by}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=made_by, operator=f"v{made_by}")
    conn.close()
    upgraded = connect(path)
    fresh = connect(tmp_path / "fresh.db", create=True)
    assert describe_schema(upgraded) == EXPECTED_SCHEMA
    query = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    assert upgraded.execute(query).fetchall() == fresh.execute(query).fetchall()


def test_a_new_database_has_the_expected_schema(tmp_path):
    conn = connect(tmp_path / "new.db", create=True)
    assert schema_version(conn) == migrations()[-1].number
    assert describe_schema(conn) == EXPECTED_SCHEMA


def test_opening_twice_applies_nothing_twice(tmp_path):
    path = tmp_path / "new.db"
    connect(path, create=True).close()
    conn = connect(path)
    assert migrate(conn) == []
    assert conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(migrations())


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = connect(path, create=True)
    newer = migrations()[-1].number + 1
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    with pytest.raises(BenefitError) as raised:
        connect(path)
    assert raised.value.exit_code == 1
    assert f"schema {newer}" in raised.value.message
    assert "newer" in raised.value.message
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == newer
    check.close()


def test_the_cli_refuses_a_newer_database_with_one_error_line(cli, db):
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {migrations()[-1].number + 1}")
    conn.close()
    result = cli("contact", "list", code=1)
    assert len(result.error_lines) == 1
    assert "newer benefit-cli" in result.error_lines[0]
