"""The bare SQL behind each report, run alone in its own process: ``python
bench/bare_query.py DB NAME``. It fetches every row and keeps none (as a report
streams them), formats nothing and prints the seconds the query took; bench/run.py
times it against the report command, each starting cold alike."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import time
from collections import deque

from benefit_cli.db.store import Store
from benefit_cli.reports.reports import Filters

TODAY = dt.date(2026, 11, 23)


def main(db: str, name: str) -> None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    store = Store(conn)
    queries = {
        "history": lambda: store.history_list(Filters(), TODAY),
        "usage": lambda: store.usage_totals(Filters(), ["month"]),
        "balances": lambda: store.balance_totals(Filters(), TODAY),
        "allocations": lambda: store.allocation_list(Filters()),
        "expiring": lambda: store.expiring(Filters(), TODAY, TODAY + dt.timedelta(days=30)),
    }
    started = time.perf_counter()
    deque(queries[name](), maxlen=0)
    print(time.perf_counter() - started)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
