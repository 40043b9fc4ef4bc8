"""The bare SQL behind a report, run alone in its own process: ``python bench/bare_query.py
DB NAME TODAY``. It fetches every row and keeps none (as a report streams them), formats
nothing and prints the seconds the query took; bench/run.py times it against the report
command, each starting cold alike. (The reports of issue 11 are held to the sqlite3
shell instead, bench/yardstick.py: our own query is no yardstick for its own speed.)"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import time
from collections import deque

from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store


def main(db: str, name: str, today: str) -> None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    store = Store(conn)
    on = dt.date.fromisoformat(today)
    queries = {
        "allocations": lambda: store.queries.allocation_list(Filters(), on),
        "expiring": lambda: store.queries.expiring(Filters(), on, on + dt.timedelta(days=30)),
    }
    started = time.perf_counter()
    deque(queries[name](), maxlen=0)
    print(time.perf_counter() - started)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
