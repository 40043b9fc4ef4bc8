-- A subscription's fulfilment reads the levels of its type that have started by the
-- issue's date, and the first day any of them starts: an index on (type, start) gives both
-- as index ranges (one monthly issue to 50,000 members read 600,000 levels without it). It
-- serves every look-up by type alone too, so it replaces the index on the type.
DROP INDEX levels_type;
CREATE INDEX levels_type_start ON levels(type_id, starts_on);
