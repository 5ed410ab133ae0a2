-- Watchlists (issue 24): what an analyst, supervisor or investigator watches, and the
-- notifications a newly linked record raises for them. Keep in step with the other
-- backend's 0022_watchlists.sql (a test compares the two folders).

-- One watch: an identifier (its value normalised as linking stores it) or a record (a case,
-- the person named in a report or case, the template of an ad). It notifies nothing once
-- expires_at has passed or it is removed; renewing moves expires_at.
CREATE TABLE watches (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- phone | email | handle | case | person | template
    kind TEXT NOT NULL,
    -- The normalised identifier; a case's id; `report:12` or `case:3` for a person; the
    -- template's label (`ad:5`) for a template.
    value TEXT NOT NULL,
    -- The watcher's own words for it (may be empty).
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    renewed_at BIGINT,
    removed_at BIGINT
);
CREATE INDEX watches_match ON watches (kind, value, expires_at);
CREATE INDEX watches_user ON watches (user_id, created_at);

-- A record that matched a watch, raised in the transaction that stored its links; one per
-- watch and record, so linking a record again raises nothing new.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    watch_id BIGINT NOT NULL REFERENCES watches(id),
    -- report | case | ad
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    -- Why, in words, for the product only: never put in an e-mail.
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    emailed_at BIGINT,
    UNIQUE (watch_id, record_kind, record_id)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- Where a watcher wants to be told by e-mail that a notification is waiting (the message
-- carries only a link). No row: notifications in the product only.
CREATE TABLE notification_addresses (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    email TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
