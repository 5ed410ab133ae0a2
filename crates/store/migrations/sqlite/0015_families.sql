-- Family advocacy and peer support (issue 21). A family's support case belongs to the
-- advocate's organisation; what the family told us is `profile_json` (the families crate's
-- FamilyProfile), with the columns lists and deadlines read beside it. Keep in step with
-- the other backend's 0015_families.sql.
CREATE TABLE family_cases (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    advocate_id BIGINT NOT NULL REFERENCES users(id),
    -- The missing-child case or the report it is about, when the advocate may see it.
    case_id BIGINT REFERENCES cases(id),
    report_id BIGINT REFERENCES reports(id),
    family_name TEXT NOT NULL,
    -- Codes of families::CrisisLevel and families::Experience.
    crisis TEXT NOT NULL,
    experience TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    -- The peer volunteer confirmed by an advocate (one at a time).
    volunteer_id BIGINT REFERENCES users(id),
    matched_by BIGINT REFERENCES users(id),
    matched_at BIGINT,
    opened_at BIGINT NOT NULL,
    -- The agreed latest time of the first contact (by crisis level), and when it was made.
    first_contact_due BIGINT NOT NULL,
    first_contact_at BIGINT,
    -- The next step due, from the latest contact that named one.
    next_due BIGINT,
    closed_at BIGINT,
    close_reason TEXT,
    -- The family's answer to "how helpful was the support", 1 to 5: counted, never listed.
    helpfulness BIGINT CHECK (helpfulness BETWEEN 1 AND 5),
    updated_at BIGINT NOT NULL
);
CREATE INDEX family_cases_org ON family_cases (org_id, closed_at);
CREATE INDEX family_cases_volunteer ON family_cases (volunteer_id);
CREATE INDEX family_cases_case ON family_cases (case_id);

-- The contact log: every call, message or meeting, by an advocate or the volunteer.
CREATE TABLE family_contacts (
    id INTEGER PRIMARY KEY,
    family_id BIGINT NOT NULL REFERENCES family_cases(id),
    by_user BIGINT NOT NULL REFERENCES users(id),
    -- A families::ContactKind code.
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    with_whom TEXT NOT NULL,
    summary TEXT NOT NULL,
    next_step TEXT NOT NULL,
    next_due BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX family_contacts_family ON family_contacts (family_id, at);

-- Services of the recovery directory (0011 resources) a family was referred to.
CREATE TABLE family_referrals (
    id INTEGER PRIMARY KEY,
    family_id BIGINT NOT NULL REFERENCES family_cases(id),
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    note TEXT NOT NULL,
    by_user BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX family_referrals_family ON family_referrals (family_id);

-- Peer volunteers' profiles (accounts of role volunteer): vetting, trainings,
-- availability, languages, time zone, lived experience, as families::VolunteerProfile.
CREATE TABLE volunteer_profiles (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    profile_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
