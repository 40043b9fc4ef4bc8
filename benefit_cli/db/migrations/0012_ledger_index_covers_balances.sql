-- What a holder had left at the end of its life is its grant plus its entries' quantities,
-- those that close it (an expiry, a rollover out) apart: with kind in the index on the
-- level, an expiry run sums each level's entries from the index alone, never from the
-- table where each one lies (1,000,000 levels: 8 s rather than 11). Nothing more is added
-- to it: an import writes every byte of this index for every row it appends. It replaces
-- the narrower index of migration 0002.
DROP INDEX entries_level;
CREATE INDEX entries_level ON entries(level_id, allocation_id, quantity, kind);
