-- Allocations live by their dates (SPEC §1 "An allocation's life"): an end on a future day
-- keeps one usable through that day, and allocations of one level that never run at the
-- same time may together hold more than it. So invariant 1 is guarded by day: on every
-- day of an allocation's life, the allocations of its level in force that day hold no
-- more than the level's quantity. An allocation is in force from its start through its
-- stop date, or the day before it was declined; the busiest day of its life is its start
-- or the start of another that begins during it. ``active`` no longer decides anything:
-- it says "not declined and no end recorded" for someone browsing the file.
DROP TRIGGER allocations_within_level_insert;
DROP TRIGGER allocations_within_level_update;
CREATE TRIGGER allocations_within_level_insert AFTER INSERT ON allocations
WHEN EXISTS (
    SELECT 1 FROM allocations busy
    WHERE busy.level_id = NEW.level_id
        AND busy.starts_on BETWEEN NEW.starts_on AND min(NEW.stops_on,
            CASE WHEN NEW.response = 'declined' THEN date(NEW.response_on, '-1 day') ELSE NEW.stops_on END)
        AND (SELECT sum(o.number) FROM allocations o
            WHERE o.level_id = NEW.level_id AND o.starts_on <= busy.starts_on
                AND busy.starts_on <= min(o.stops_on,
                    CASE WHEN o.response = 'declined' THEN date(o.response_on, '-1 day') ELSE o.stops_on END)
        ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
)
BEGIN
    SELECT RAISE(ABORT, 'the allocations of a level in force on one day would exceed its quantity');
END;
CREATE TRIGGER allocations_within_level_update
AFTER UPDATE OF level_id, number, starts_on, stops_on, response, response_on ON allocations
WHEN EXISTS (
    SELECT 1 FROM allocations busy
    WHERE busy.level_id = NEW.level_id
        AND busy.starts_on BETWEEN NEW.starts_on AND min(NEW.stops_on,
            CASE WHEN NEW.response = 'declined' THEN date(NEW.response_on, '-1 day') ELSE NEW.stops_on END)
        AND (SELECT sum(o.number) FROM allocations o
            WHERE o.level_id = NEW.level_id AND o.starts_on <= busy.starts_on
                AND busy.starts_on <= min(o.stops_on,
                    CASE WHEN o.response = 'declined' THEN date(o.response_on, '-1 day') ELSE o.stops_on END)
        ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
)
BEGIN
    SELECT RAISE(ABORT, 'the allocations of a level in force on one day would exceed its quantity');
END;

-- A delegate is named for one level, or for a whole membership: every level of it and of
-- its renewals (the memberships whose renewed_from chain leads to it), found when read, so
-- a renewal made later is covered without copying rows.
ALTER TABLE delegates RENAME TO delegates_by_level;
CREATE TABLE delegates (
    id INTEGER PRIMARY KEY,
    level_id INTEGER REFERENCES levels(id),
    membership_id INTEGER REFERENCES memberships(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,
    CHECK ((level_id IS NULL) <> (membership_id IS NULL))
);
INSERT INTO delegates (id, level_id, membership_id, contact_id, created_at, created_by, removed_at, removed_by)
SELECT id, level_id, NULL, contact_id, created_at, created_by, removed_at, removed_by FROM delegates_by_level;
DROP TABLE delegates_by_level;
CREATE UNIQUE INDEX delegates_current ON delegates(level_id, contact_id) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX delegates_membership_current ON delegates(membership_id, contact_id)
    WHERE removed_at IS NULL;
CREATE INDEX delegates_contact ON delegates(contact_id);
