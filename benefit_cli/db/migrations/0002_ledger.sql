CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('use', 'void', 'adjust', 'expire', 'rollover')),
    level_id INTEGER NOT NULL REFERENCES levels(id),
    allocation_id INTEGER REFERENCES allocations(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    entry_on TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity <> 0),
    voids_id INTEGER UNIQUE REFERENCES entries(id),
    description TEXT,
    note TEXT,
    source TEXT NOT NULL,
    ref TEXT,
    fingerprint TEXT,
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX entries_level ON entries(level_id, allocation_id, quantity);
CREATE INDEX entries_allocation ON entries(allocation_id) WHERE allocation_id IS NOT NULL;
CREATE INDEX entries_contact ON entries(contact_id, entry_on);
CREATE INDEX entries_ref ON entries(ref) WHERE ref IS NOT NULL;
-- No index on entry_on alone: a report over months reads most of the ledger, where a
-- scan beats the index, and every index costs each imported row (PERFORMANCE.md).

-- Invariant 3: the ledger is append-only.
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: correct a mistake with a void or an adjust');
END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: correct a mistake with a void or an adjust');
END;
