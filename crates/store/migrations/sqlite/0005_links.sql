-- Link analysis: the identifiers each record carries (normalised phones, emails, handles,
-- device ids…) and the links found between records, each with its reason and evidence.
-- A record is (kind, id): kind is report | ad | case. Keep in step with the other
-- backend's 0005_links.sql.

CREATE TABLE record_identifiers (
    -- phone | email | handle | device | ip | url
    kind TEXT NOT NULL,
    -- Normalised (E.164, lower-case…).
    value TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    -- When the record says it was seen (microseconds), for time windows (IP addresses).
    seen_at BIGINT,
    PRIMARY KEY (kind, value, record_kind, record_id)
);
CREATE INDEX record_identifiers_record ON record_identifiers (record_kind, record_id);

-- One link between two records for one reason. The pair is stored once, in (kind, id)
-- order, so (a, b) and (b, a) cannot both exist.
CREATE TABLE record_links (
    id INTEGER PRIMARY KEY,
    a_kind TEXT NOT NULL,
    a_id BIGINT NOT NULL,
    b_kind TEXT NOT NULL,
    b_id BIGINT NOT NULL,
    -- phone | email | handle | device | ip | person | template
    reason TEXT NOT NULL,
    -- The shared identifier, or a short label for person and template links.
    value TEXT NOT NULL,
    weight_milli BIGINT NOT NULL,
    evidence_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (a_kind, a_id, b_kind, b_id, reason, value)
);
CREATE INDEX record_links_b ON record_links (b_kind, b_id);
CREATE INDEX record_links_reason ON record_links (reason, value);
