-- Hope Bags: the catalogue in force (items, kits, tiers as TOML, versioned), storage
-- locations, the stock ledger (movements and their lines, append-only) with the balance
-- each location holds of each thing (the ledger's sum, never negative: a CHECK and a
-- conditional update in the movement's transaction), responders' requests (no name or
-- identity of the young person; at most a case) and donations of money by tier.
-- Keep in step with the other backend's 0012_hope_bags.sql.
CREATE TABLE hope_catalogues (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    toml TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE hope_locations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- USPS code of the state or territory.
    state TEXT NOT NULL,
    -- office | partner | vehicle
    kind TEXT NOT NULL,
    -- The organisation that keeps it, if not the hotline.
    org_id BIGINT REFERENCES organisations(id),
    -- Kits at or below this count are low stock.
    low_stock BIGINT NOT NULL DEFAULT 3,
    created_at BIGINT NOT NULL
);
CREATE TABLE hope_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    -- 0-5 | 6-11 | 12-14 | 15-17
    age_band TEXT NOT NULL,
    size TEXT,
    -- now | today | this_week, and its rank (0 most urgent) for the queue.
    urgency TEXT NOT NULL,
    urgency_rank BIGINT NOT NULL,
    deliver_to TEXT NOT NULL,
    deliver_state TEXT NOT NULL,
    -- YYYY-MM-DD
    needed_by TEXT,
    case_id BIGINT REFERENCES cases(id),
    -- open | fulfilled | delivered | cancelled
    status TEXT NOT NULL DEFAULT 'open',
    -- What was given and from where, once fulfilled.
    kit TEXT,
    location_id BIGINT REFERENCES hope_locations(id),
    fulfilled_by BIGINT REFERENCES users(id),
    fulfilled_at BIGINT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hope_requests_queue ON hope_requests (status, urgency_rank, created_at);
CREATE INDEX hope_requests_by ON hope_requests (requested_by);
CREATE TABLE hope_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- receive | purchase | build | transfer | adjust | count | fulfil
    kind TEXT NOT NULL,
    -- The donor or drive, the reason of an adjustment, the kit built.
    note TEXT NOT NULL DEFAULT '',
    request_id BIGINT REFERENCES hope_requests(id),
    actor BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE hope_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    movement_id BIGINT NOT NULL REFERENCES hope_movements(id),
    location_id BIGINT NOT NULL REFERENCES hope_locations(id),
    -- item:CODE | kit:CODE
    sku TEXT NOT NULL,
    delta BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX hope_ledger_at ON hope_ledger (location_id, sku);
CREATE TRIGGER hope_ledger_no_update BEFORE UPDATE ON hope_ledger
BEGIN SELECT RAISE(ABORT, 'hope_ledger is append-only'); END;
CREATE TRIGGER hope_ledger_no_delete BEFORE DELETE ON hope_ledger
BEGIN SELECT RAISE(ABORT, 'hope_ledger is append-only'); END;
CREATE TABLE hope_stock (
    location_id BIGINT NOT NULL REFERENCES hope_locations(id),
    sku TEXT NOT NULL,
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    PRIMARY KEY (location_id, sku)
);
CREATE TABLE hope_donations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tier_cents BIGINT NOT NULL,
    donor TEXT NOT NULL,
    receipt TEXT NOT NULL UNIQUE,
    -- YYYY-MM-DD
    received_on TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
