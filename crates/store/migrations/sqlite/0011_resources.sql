-- The recovery resource directory: services (Open Referral HSDS 3.x) with the columns its
-- search reads. The service itself is `service_json` (the recovery crate's model); the
-- other columns are derived from it by the service layer at each write. Keep in step with
-- the other backend's 0011_resources.sql.
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    -- The HSDS id: a re-import updates the row with the same id instead of adding one.
    hsds_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    service_json TEXT NOT NULL,
    -- Lower-case lists written '|a|b|', searched with LIKE '%|a|%': needs (codes), the
    -- states and counties of its locations, the languages spoken.
    needs TEXT NOT NULL,
    states TEXT NOT NULL,
    counties TEXT NOT NULL,
    languages TEXT NOT NULL,
    min_age BIGINT,
    max_age BIGINT,
    -- Lower-case name, organisation and description, for the text search.
    search_text TEXT NOT NULL,
    -- YYYY-MM-DD; NULL when never verified.
    last_verified TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX resources_name ON resources (name, id);
