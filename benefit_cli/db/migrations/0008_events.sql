-- Events, their registration types and registrations (SPEC §1 "Events").
--
-- A registration type may be tied to a benefit type and a quantity in that type's unit;
-- registering with it records a use (source 'event') under the registration's ref, which
-- may span several balances (several entries sharing that ref). Cancelling voids every
-- entry of the ref. A registration nothing covered is kept with covered = 0 and no entry.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL CHECK (name <> ''),
    held_on TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL
);

CREATE TABLE registration_types (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    -- "Member" and "member" are one registration type: staff type the name back.
    name TEXT NOT NULL COLLATE NOCASE CHECK (name <> ''),
    type_id INTEGER REFERENCES benefit_types(id),
    quantity INTEGER CHECK (quantity > 0),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    UNIQUE (event_id, name),
    CHECK ((type_id IS NULL) = (quantity IS NULL))
);
-- A benefit type named by a registration type is never deleted (invariant 8 asks this).
CREATE INDEX registration_types_type ON registration_types(type_id) WHERE type_id IS NOT NULL;

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    regtype_id INTEGER NOT NULL REFERENCES registration_types(id),
    covered INTEGER NOT NULL DEFAULT 0 CHECK (covered IN (0, 1)),
    -- The first entry of the use; the others share its ref.
    entry_id INTEGER REFERENCES entries(id),
    ref TEXT NOT NULL UNIQUE CHECK (ref <> ''),
    cancelled_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT,
    CHECK ((entry_id IS NOT NULL) = (covered = 1))
);
CREATE INDEX registrations_event ON registrations(event_id);
