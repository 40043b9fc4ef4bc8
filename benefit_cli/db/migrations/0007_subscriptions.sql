-- Subscriptions (SPEC §1 "Subscriptions"): each issue delivered to a member is recorded
-- once; a member may opt out of a subscription type and back in.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    issue_date TEXT NOT NULL,
    level_id INTEGER NOT NULL REFERENCES levels(id),  -- the level that entitled the member
    delivered_on TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    UNIQUE (contact_id, type_id, issue_date)
);
CREATE INDEX deliveries_type ON deliveries(type_id, issue_date);

-- A subscription's past issues (each issue a fulfilment handled, dated up to its day) and
-- the last level it looked at: a member entered late is owed these, and a later run need
-- only look at the levels created since, so a night with nothing new reads next to nothing
-- however many issues there have been.
CREATE TABLE subscription_issues (
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    issue_date TEXT NOT NULL,
    levels_through INTEGER NOT NULL,
    PRIMARY KEY (type_id, issue_date)
);

-- A member's opt-out of a subscription type, from a day until the day they opt back in
-- (NULL while they are out). Issues dated up to the opt-in are never delivered.
CREATE TABLE subscription_optouts (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    opted_out_on TEXT NOT NULL,
    opted_in_on TEXT CHECK (opted_in_on IS NULL OR opted_in_on >= opted_out_on),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);
CREATE INDEX subscription_optouts_contact ON subscription_optouts(contact_id, type_id);
CREATE UNIQUE INDEX subscription_optouts_current ON subscription_optouts(contact_id, type_id)
    WHERE opted_in_on IS NULL;
