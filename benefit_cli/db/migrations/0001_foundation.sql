CREATE TABLE migrations (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'business')),
    business_id INTEGER REFERENCES contacts(id),
    email TEXT,
    joined_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);
CREATE INDEX contacts_business ON contacts(business_id);
CREATE INDEX contacts_joined_on ON contacts(joined_on);

CREATE TABLE benefit_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('count', 'minutes', 'money', 'pages')),
    unit_value INTEGER NOT NULL DEFAULT 0 CHECK (unit_value >= 0),
    kind TEXT NOT NULL DEFAULT 'standard'
        CHECK (kind IN ('standard', 'event', 'subscription', 'card')),
    exclusive_group TEXT,
    description TEXT,
    schedule TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL,
    term_months INTEGER NOT NULL CHECK (term_months > 0),
    grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL
);

CREATE TABLE plan_benefits (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    per TEXT NOT NULL DEFAULT 'term' CHECK (per IN ('term', 'month', 'quarter', 'year')),
    begin_on TEXT NOT NULL,
    end_on TEXT CHECK (end_on IS NULL OR end_on >= begin_on),
    priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 100),
    associates INTEGER NOT NULL DEFAULT 0 CHECK (associates IN (0, 1)),
    price_portion INTEGER CHECK (price_portion IS NULL OR price_portion >= 0),
    rollover_percent INTEGER CHECK (rollover_percent IS NULL OR rollover_percent BETWEEN 0 AND 100),
    rollover_max INTEGER CHECK (rollover_max IS NULL OR rollover_max >= 0),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);
CREATE INDEX plan_benefits_plan_type ON plan_benefits(plan_id, type_id, begin_on);
CREATE INDEX plan_benefits_type ON plan_benefits(type_id);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL CHECK (end_on >= start_on),
    grace_end_on TEXT NOT NULL CHECK (grace_end_on >= end_on),
    renewed_from INTEGER UNIQUE REFERENCES memberships(id),
    cancelled_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);
CREATE UNIQUE INDEX memberships_contact_plan_start ON memberships(contact_id, plan_id, start_on);
CREATE INDEX memberships_plan ON memberships(plan_id, start_on);

CREATE TABLE levels (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    type_id INTEGER NOT NULL REFERENCES benefit_types(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    starts_on TEXT NOT NULL,
    expires_on TEXT NOT NULL CHECK (expires_on >= starts_on),
    source TEXT NOT NULL CHECK (source IN ('plan', 'product', 'manual')),
    priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 1 AND 100),
    unit_value INTEGER NOT NULL DEFAULT 0,
    membership_id INTEGER REFERENCES memberships(id),
    plan_benefit_id INTEGER REFERENCES plan_benefits(id),
    cancelled_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL
);
CREATE INDEX levels_contact_type ON levels(contact_id, type_id);
CREATE INDEX levels_membership ON levels(membership_id);
CREATE INDEX levels_type ON levels(type_id);

CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    level_id INTEGER NOT NULL REFERENCES levels(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    number INTEGER NOT NULL CHECK (number > 0),
    starts_on TEXT NOT NULL,
    stops_on TEXT NOT NULL CHECK (stops_on >= starts_on),
    response TEXT CHECK (response IN ('accepted', 'declined')),
    response_on TEXT,
    delivered_on TEXT,
    comment TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    ended_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT, updated_by TEXT
);
CREATE INDEX allocations_level ON allocations(level_id);
CREATE INDEX allocations_contact ON allocations(contact_id);

-- Invariant 1, guarded here as well as in the code that allocates.
CREATE TRIGGER allocations_within_level_insert BEFORE INSERT ON allocations
WHEN NEW.active = 1 AND NEW.number + (
        SELECT coalesce(sum(number), 0) FROM allocations
        WHERE level_id = NEW.level_id AND active = 1
    ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
BEGIN
    SELECT RAISE(ABORT, 'the active allocations of a level would exceed its quantity');
END;
CREATE TRIGGER allocations_within_level_update BEFORE UPDATE OF number, active ON allocations
WHEN NEW.active = 1 AND NEW.number + (
        SELECT coalesce(sum(number), 0) FROM allocations
        WHERE level_id = NEW.level_id AND active = 1 AND id <> NEW.id
    ) > (SELECT quantity FROM levels WHERE id = NEW.level_id)
BEGIN
    SELECT RAISE(ABORT, 'the active allocations of a level would exceed its quantity');
END;

CREATE TABLE delegates (
    id INTEGER PRIMARY KEY,
    level_id INTEGER NOT NULL REFERENCES levels(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT
);
CREATE UNIQUE INDEX delegates_current ON delegates(level_id, contact_id) WHERE removed_at IS NULL;
CREATE INDEX delegates_contact ON delegates(contact_id);
