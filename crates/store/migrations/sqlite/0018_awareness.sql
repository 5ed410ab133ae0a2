-- Awareness and partners (issue 22): partner organisations with the states they cover and
-- the poster feeds they take, their awareness events, and publications (PDFs in the blob
-- store). The public poster gallery has no table: it reads the cases' live publication
-- and missing state at each request, so no stored list can outlive a recovery. Keep in
-- step with the other backend's 0018_awareness.sql.
CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Code of awareness::PartnerKind.
    kind TEXT NOT NULL,
    -- awareness::Partner as JSON (contacts, states, feed states, notes).
    partner_json TEXT NOT NULL,
    -- The states covered and the feeds taken as ' TX OK ' (spaces around each code), for
    -- filtering by state with LIKE on both backends.
    states TEXT NOT NULL,
    feed_states TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX partners_name ON partners (name);

CREATE TABLE partner_events (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners(id),
    -- YYYY-MM-DD
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    audience TEXT NOT NULL,
    materials TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX partner_events_partner ON partner_events (partner_id, held_on);
CREATE INDEX partner_events_held_on ON partner_events (held_on);

CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    -- Code of awareness::Audience.
    audience TEXT NOT NULL,
    -- YYYY-MM-DD
    published_on TEXT NOT NULL,
    -- The PDF's key in the blob store.
    blob_key TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX publications_date ON publications (published_on);
