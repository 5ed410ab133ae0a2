-- Training (issue 22): courses with their versions, learner accounts (never `users` rows:
-- a learner has no access to case data), their sessions, enrolments with per-module
-- progress and quiz attempts, certificates, law-enforcement verification requests, and
-- the outbox of messages to send (the product sends no mail itself). Keep in step with
-- the other backend's 0017_training.sql.
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- Code of training::Audience.
    audience TEXT NOT NULL,
    credit_tenths BIGINT NOT NULL CHECK (credit_tenths >= 0),
    -- The whole training::Course as JSON (the course file's record).
    course_json TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    UNIQUE (slug, version)
);

CREATE TABLE learners (
    id INTEGER PRIMARY KEY,
    -- Lower-cased.
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- SHA-256 of the one-time email verification token, until it is used.
    verify_digest TEXT,
    email_verified_at BIGINT,
    -- Set when a verifier approved the learner's law-enforcement request.
    le_verified_at BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX learners_verify ON learners (verify_digest);

CREATE TABLE learner_sessions (
    -- SHA-256 of the cookie's token: the table alone cannot sign anyone in.
    digest TEXT PRIMARY KEY,
    learner_id BIGINT NOT NULL REFERENCES learners(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    learner_id BIGINT NOT NULL REFERENCES learners(id),
    -- The version begun: a later version does not change a learner's course under them.
    course_id BIGINT NOT NULL REFERENCES courses(id),
    enrolled_at BIGINT NOT NULL,
    completed_at BIGINT,
    UNIQUE (learner_id, course_id)
);
CREATE INDEX enrolments_course ON enrolments (course_id);

CREATE TABLE module_progress (
    enrolment_id BIGINT NOT NULL REFERENCES enrolments(id),
    -- From 0.
    module_no BIGINT NOT NULL,
    passed_at BIGINT NOT NULL,
    PRIMARY KEY (enrolment_id, module_no)
);

CREATE TABLE quiz_attempts (
    id INTEGER PRIMARY KEY,
    enrolment_id BIGINT NOT NULL REFERENCES enrolments(id),
    module_no BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX quiz_attempts_enrolment ON quiz_attempts (enrolment_id, module_no);

-- What the certificate says is kept as it was printed, so a later rename or version does
-- not change a certificate already given.
CREATE TABLE certificates (
    code TEXT PRIMARY KEY,
    enrolment_id BIGINT NOT NULL UNIQUE REFERENCES enrolments(id),
    learner_name TEXT NOT NULL,
    course_title TEXT NOT NULL,
    course_version BIGINT NOT NULL,
    credit_tenths BIGINT NOT NULL,
    completed_at BIGINT NOT NULL
);

CREATE TABLE verification_requests (
    id INTEGER PRIMARY KEY,
    learner_id BIGINT NOT NULL REFERENCES learners(id),
    agency TEXT NOT NULL,
    badge TEXT NOT NULL,
    work_email TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    -- 'approved' or 'refused', with who decided, when and (for a refusal) why.
    decision TEXT CHECK (decision IN ('approved', 'refused')),
    decided_by TEXT,
    decided_at BIGINT,
    reason TEXT
);
CREATE INDEX verification_requests_open ON verification_requests (decided_at, requested_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
