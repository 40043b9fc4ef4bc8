"""A released migration is frozen text: changing one would silently give new databases a
schema that old databases never get. A schema change is a new numbered file; add its hash
here when it is released."""

from __future__ import annotations

import hashlib

import pytest

from benefit_cli.db.migrations import migrations

RELEASED = {
    1: "6959a647caded15bea0ddc6066a92bada5adcc5d9a6f2b45c6cc45916639276d",
    2: "7619b6e33b83320d12c01cceca11a18f87ea5d13cad1b5ee29704dfcd9c88780",
    3: "2ef12b7466d611d1880c731f4b87095d1f7934b77ed3fea228eb01c2ad7bb243",
    4: "c9d44d249060fe95be4aa61a23d02037895a07cd2e1a43dfcb09558855858a64",
    5: "f2b834a21d44f87273d0dedeb323db6b8d35879c89fee86c45ed5e5be7a4039c",
    6: "2e17a9c2694836d25470e353b63586ad5ee7d3e759705dfae31e6de3db9a38d9",
    7: "c03f36a8f568c11cebdbe039072ce80d199b155eaa52d2f2e90aa1ae77afa1ee",
    8: "c9087f9b70f3d5c21b86fe2b566ee5180e28d2083c7f2bafb038ef49cab7bb16",
    9: "edb49e8d3ef29a655640c594af93778b03b0b024599efccbb087bd48a3229617",
    10: "38e7ad57e18e419152b0126678d87aa467539ca0c71c9d91764a1924ae242764",
    11: "e9a8af77d520b2a0611b8fa988351acc28268694b9ff4976d6dc809c0db9db05",
    12: "ec6a0a0e9a9ce5e71202753a9fb9b7ccf7c1bedc8734c2b06b57c9f7827e14b2",
    13: "bb1701b4f0e2ae21c618e0f1cb23ff93956083441c8ec948758c68af9602739d",
}


@pytest.mark.parametrize("number", sorted(RELEASED))
def test_a_released_migration_never_changes(number: int) -> None:
    migration = migrations()[number - 1]
    assert migration.number == number
    digest = hashlib.sha256(migration.file.read_bytes()).hexdigest()
    assert digest == RELEASED[number], (
        f"{migration.file.name} was released and must not change; write a new migration instead"
    )


def test_every_migration_is_released_with_its_hash() -> None:
    """A new migration file fails here until its hash is added above (when it is released)."""
    assert [m.number for m in migrations()] == sorted(RELEASED)


def test_the_views_are_this_versions_definition_of_a_balance(tmp_path) -> None:
    """The views' text is the builder's (db/balance_sql.py): changing how a balance is
    computed without a new migration that recreates the views fails here."""
    import sqlite3

    from benefit_cli.db.balance_sql import BALANCES_VIEW, HISTORY_VIEW
    from benefit_cli.db.connection import connect

    connect(tmp_path / "new.db", create=True).close()
    conn = sqlite3.connect(tmp_path / "new.db")
    views = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    conn.close()
    assert views == {"balances": BALANCES_VIEW, "history": HISTORY_VIEW}
