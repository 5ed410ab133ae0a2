-- Recovery plans and referrals (issue 19). A plan follows a young person: it may be linked
-- to the missing-child case (and episode) or the report that brought them, and it never
-- closes because of age. Its narrative (goals in the young person's words, strengths, what
-- they asked not to be shared, reviews) is `narrative_json`, the recovery crate's model,
-- read only by the plan's team. Dates a person gives are YYYY-MM-DD text (compared as
-- text); times are UTC microseconds. Keep in step with the other backend's file.
CREATE TABLE recovery_plans (
    id INTEGER PRIMARY KEY,
    young_person TEXT NOT NULL,
    date_of_birth TEXT,
    case_id BIGINT REFERENCES cases(id),
    episode_id BIGINT REFERENCES case_episodes(id),
    report_id BIGINT REFERENCES reports(id),
    -- none | do_not_contact | safe_contact_only
    safety TEXT NOT NULL,
    next_review TEXT,
    last_reviewed TEXT,
    -- Need domains written '|housing|safety|', for the statistics.
    needs TEXT NOT NULL,
    needs_json TEXT NOT NULL,
    narrative_json TEXT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX recovery_plans_review ON recovery_plans (next_review, id);
CREATE INDEX recovery_plans_case ON recovery_plans (case_id, episode_id);

-- Who is on a plan's team: the people who read its narrative and change it.
CREATE TABLE recovery_plan_team (
    plan_id BIGINT NOT NULL REFERENCES recovery_plans(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX recovery_plan_team_user ON recovery_plan_team (user_id, plan_id);

-- Each share of information the young person consented to. `org_id` is set when the share
-- is with an organisation of the system (a law-enforcement agency may then read the plan).
CREATE TABLE recovery_plan_consents (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES recovery_plans(id),
    with_whom TEXT NOT NULL,
    org_id BIGINT REFERENCES organisations(id),
    what TEXT NOT NULL,
    given_on TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX recovery_plan_consents_plan ON recovery_plan_consents (plan_id, id);

-- A referral from a plan to a service of the directory, and each move of its status.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES recovery_plans(id),
    resource_id BIGINT NOT NULL REFERENCES resources(id),
    -- The plan's need domain it answers.
    need TEXT NOT NULL,
    status TEXT NOT NULL,
    -- What was shared with the service (also in the audit entry).
    shared TEXT NOT NULL,
    outcome TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    engaged_at BIGINT
);
CREATE INDEX referrals_plan ON referrals (plan_id, id);
CREATE TABLE referral_moves (
    id INTEGER PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referrals(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_user BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX referral_moves_referral ON referral_moves (referral_id, id);
