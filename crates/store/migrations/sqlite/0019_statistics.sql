-- Public statistics (issue 23): each release of the published tables. A release is
-- scheduled (the first day of a month, 00:00 UTC), may be held by an administrator, and is
-- published by the job that computes it; the payload holds the tables already protected
-- (suppressed, and noised in the differentially private mode), so the public pages never
-- read a case or report table. Keep in step with the other backend's 0019_statistics.sql.
CREATE TABLE statistics_releases (
    id INTEGER PRIMARY KEY,
    -- YYYY-MM: the month the release belongs to.
    period TEXT NOT NULL,
    scheduled_for BIGINT NOT NULL,
    -- scheduled | held | published
    status TEXT NOT NULL,
    -- suppressed | dp
    mode TEXT NOT NULL,
    -- The release's whole privacy budget in thousandths (dp only).
    epsilon_milli BIGINT,
    computed_at BIGINT,
    published_at BIGINT,
    -- The protected tables as JSON (published releases only).
    payload TEXT,
    changed_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    CHECK (status IN ('scheduled', 'held', 'published')),
    CHECK (mode IN ('suppressed', 'dp'))
);
CREATE INDEX statistics_releases_status ON statistics_releases (status, scheduled_for);
CREATE INDEX statistics_releases_published ON statistics_releases (published_at);
