//! Training (migration 0017): published course versions, learner accounts and their
//! sessions, enrolments with per-module progress and quiz attempts, certificates,
//! law-enforcement verification requests, and the outbox of messages to send. Learners
//! are not `users`: nothing here joins a learner to case data. What a course holds is the
//! `training` crate's (stored as JSON); who may do what is the service's.

use crate::error::conflict;
use crate::StoreError;
use sqlx::{Any, Executor, Row};
use training::Audience;

fn audience(value: String) -> Result<Audience, StoreError> {
    Audience::parse(&value).ok_or(StoreError::UnknownValue {
        column: "courses.audience",
        value,
    })
}

/// A published version of a course.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseRow {
    pub id: i64,
    pub slug: String,
    pub version: i64,
    pub title: String,
    pub audience: Audience,
    pub credit_tenths: i64,
    pub course_json: String,
    pub published_at: i64,
    pub published_by: String,
}

const COURSE: &str = "SELECT id, slug, version, title, audience, credit_tenths, course_json, \
    published_at, published_by FROM courses";

fn course(r: sqlx::any::AnyRow) -> Result<CourseRow, StoreError> {
    Ok(CourseRow {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        audience: audience(r.try_get("audience")?)?,
        credit_tenths: r.try_get("credit_tenths")?,
        course_json: r.try_get("course_json")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
    })
}

/// Publishes a version of a course. `Conflict` when that slug already has this version.
#[allow(clippy::too_many_arguments)]
pub async fn insert_course<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    slug: &str,
    version: i64,
    title: &str,
    audience: Audience,
    credit_tenths: i64,
    course_json: &str,
    by: &str,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO courses (slug, version, title, audience, credit_tenths, course_json, \
         published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(slug)
    .bind(version)
    .bind(title)
    .bind(audience.code())
    .bind(credit_tenths)
    .bind(course_json)
    .bind(now)
    .bind(by)
    .fetch_one(ex)
    .await
    .map_err(conflict("this version of the course"))
}

/// The newest version of every course, by title.
pub async fn current_courses<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<CourseRow>, StoreError> {
    sqlx::query(&format!(
        "{COURSE} c WHERE version = (SELECT MAX(version) FROM courses d WHERE d.slug = c.slug) \
         ORDER BY title, slug"
    ))
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(course)
    .collect()
}

/// The newest version of one course.
pub async fn current_course<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    slug: &str,
) -> Result<Option<CourseRow>, StoreError> {
    sqlx::query(&format!(
        "{COURSE} WHERE slug = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(slug)
    .fetch_optional(ex)
    .await?
    .map(course)
    .transpose()
}

pub async fn course_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<CourseRow, StoreError> {
    course(
        sqlx::query(&format!("{COURSE} WHERE id = $1"))
            .bind(id)
            .fetch_one(ex)
            .await?,
    )
}

/// A learner account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub email_verified_at: Option<i64>,
    pub le_verified_at: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
}

const LEARNER: &str = "SELECT id, email, display_name, password_hash, email_verified_at, \
    le_verified_at, failed_logins, locked_until, created_at FROM learners";

fn learner(r: sqlx::any::AnyRow) -> Result<LearnerRow, StoreError> {
    Ok(LearnerRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        email_verified_at: r.try_get("email_verified_at")?,
        le_verified_at: r.try_get("le_verified_at")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A new learner, not yet verified. `Conflict` when the email is taken.
pub async fn insert_learner<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    email: &str,
    display_name: &str,
    password_hash: &str,
    verify_digest: &str,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO learners (email, display_name, password_hash, verify_digest, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(verify_digest)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict("a learner account with that email"))
}

pub async fn learner_by_email<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    email: &str,
) -> Result<Option<LearnerRow>, StoreError> {
    sqlx::query(&format!("{LEARNER} WHERE email = $1"))
        .bind(email)
        .fetch_optional(ex)
        .await?
        .map(learner)
        .transpose()
}

pub async fn learner_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<LearnerRow, StoreError> {
    learner(
        sqlx::query(&format!("{LEARNER} WHERE id = $1"))
            .bind(id)
            .fetch_one(ex)
            .await?,
    )
}

/// Uses a one-time email verification token: the learner it verified, if any.
pub async fn verify_email<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE learners SET email_verified_at = $2, verify_digest = NULL \
         WHERE verify_digest = $1 RETURNING id",
    )
    .bind(digest)
    .bind(now)
    .fetch_optional(ex)
    .await?)
}

/// Counts a failed sign-in; the account is locked until `lock_until` once `failures` is
/// reached.
pub async fn failed_login<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    failures: i64,
    lock_until: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE learners SET failed_logins = failed_logins + 1, \
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(failures)
    .bind(lock_until)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn reset_failed_logins<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE learners SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn insert_session<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
    learner_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO learner_sessions (digest, learner_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(digest)
    .bind(learner_id)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The learner of a session that has not expired.
pub async fn session_learner<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
    now: i64,
) -> Result<Option<LearnerRow>, StoreError> {
    sqlx::query(&format!(
        "{LEARNER} WHERE id = (SELECT learner_id FROM learner_sessions \
         WHERE digest = $1 AND expires_at > $2)"
    ))
    .bind(digest)
    .bind(now)
    .fetch_optional(ex)
    .await?
    .map(learner)
    .transpose()
}

pub async fn delete_session<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    digest: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM learner_sessions WHERE digest = $1")
        .bind(digest)
        .execute(ex)
        .await?;
    Ok(())
}

/// A learner's enrolment, with its course version.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentRow {
    pub id: i64,
    pub learner_id: i64,
    pub course: CourseRow,
    pub enrolled_at: i64,
    pub completed_at: Option<i64>,
    /// Modules passed, from 0.
    pub passed: Vec<i64>,
    pub certificate: Option<String>,
}

/// The enrolment of a learner in any version of a course, if any: the newest.
pub async fn enrolment_in(
    ex: &mut sqlx::AnyConnection,
    learner_id: i64,
    slug: &str,
) -> Result<Option<EnrolmentRow>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT e.id FROM enrolments e JOIN courses c ON c.id = e.course_id \
         WHERE e.learner_id = $1 AND c.slug = $2 ORDER BY c.version DESC LIMIT 1",
    )
    .bind(learner_id)
    .bind(slug)
    .fetch_optional(&mut *ex)
    .await?;
    match id {
        Some(id) => Ok(Some(enrolment(ex, id).await?)),
        None => Ok(None),
    }
}

pub async fn enrolment(ex: &mut sqlx::AnyConnection, id: i64) -> Result<EnrolmentRow, StoreError> {
    let r = sqlx::query(
        "SELECT e.id, e.learner_id, e.course_id, e.enrolled_at, e.completed_at, \
         (SELECT code FROM certificates k WHERE k.enrolment_id = e.id) AS certificate \
         FROM enrolments e WHERE e.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *ex)
    .await?;
    let course_id: i64 = r.try_get("course_id")?;
    let passed: Vec<i64> = sqlx::query_scalar(
        "SELECT module_no FROM module_progress WHERE enrolment_id = $1 ORDER BY module_no",
    )
    .bind(id)
    .fetch_all(&mut *ex)
    .await?;
    Ok(EnrolmentRow {
        id: r.try_get("id")?,
        learner_id: r.try_get("learner_id")?,
        enrolled_at: r.try_get("enrolled_at")?,
        completed_at: r.try_get("completed_at")?,
        certificate: r.try_get("certificate")?,
        course: course_by_id(&mut *ex, course_id).await?,
        passed,
    })
}

/// A learner's enrolments, newest first.
pub async fn enrolments_of(
    ex: &mut sqlx::AnyConnection,
    learner_id: i64,
) -> Result<Vec<EnrolmentRow>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM enrolments WHERE learner_id = $1 ORDER BY enrolled_at DESC, id DESC",
    )
    .bind(learner_id)
    .fetch_all(&mut *ex)
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(enrolment(ex, id).await?);
    }
    Ok(out)
}

pub async fn insert_enrolment<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    learner_id: i64,
    course_id: i64,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO enrolments (learner_id, course_id, enrolled_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(learner_id)
    .bind(course_id)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict("an enrolment in this course"))
}

/// Records one attempt at a module's quiz, and the module as passed when it was.
pub async fn record_attempt(
    ex: &mut sqlx::AnyConnection,
    enrolment_id: i64,
    module_no: i64,
    correct: i64,
    total: i64,
    passed: bool,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO quiz_attempts (enrolment_id, module_no, correct, total, passed, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(enrolment_id)
    .bind(module_no)
    .bind(correct)
    .bind(total)
    .bind(i64::from(passed))
    .bind(now)
    .execute(&mut *ex)
    .await?;
    if passed {
        sqlx::query(
            "INSERT INTO module_progress (enrolment_id, module_no, passed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (enrolment_id, module_no) DO NOTHING",
        )
        .bind(enrolment_id)
        .bind(module_no)
        .bind(now)
        .execute(&mut *ex)
        .await?;
    }
    Ok(())
}

/// How many attempts a learner made at a module's quiz.
pub async fn attempts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    enrolment_id: i64,
    module_no: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE enrolment_id = $1 AND module_no = $2",
    )
    .bind(enrolment_id)
    .bind(module_no)
    .fetch_one(ex)
    .await?)
}

/// A certificate as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub code: String,
    pub enrolment_id: i64,
    pub learner_id: i64,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i64,
    pub credit_tenths: i64,
    pub completed_at: i64,
}

/// Marks the enrolment complete and gives its certificate, once: `false` when it was
/// already complete (two last answers at once give one certificate).
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    ex: &mut sqlx::AnyConnection,
    enrolment_id: i64,
    code: &str,
    learner_name: &str,
    course_title: &str,
    course_version: i64,
    credit_tenths: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE enrolments SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL",
    )
    .bind(enrolment_id)
    .bind(now)
    .execute(&mut *ex)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO certificates (code, enrolment_id, learner_name, course_title, \
         course_version, credit_tenths, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code)
    .bind(enrolment_id)
    .bind(learner_name)
    .bind(course_title)
    .bind(course_version)
    .bind(credit_tenths)
    .bind(now)
    .execute(&mut *ex)
    .await
    .map_err(conflict("a certificate with this code"))?;
    Ok(true)
}

pub async fn certificate<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    code: &str,
) -> Result<Option<CertificateRow>, StoreError> {
    sqlx::query(
        "SELECT k.code, k.enrolment_id, e.learner_id, k.learner_name, k.course_title, \
         k.course_version, k.credit_tenths, k.completed_at \
         FROM certificates k JOIN enrolments e ON e.id = k.enrolment_id WHERE k.code = $1",
    )
    .bind(code)
    .fetch_optional(ex)
    .await?
    .map(|r| {
        Ok(CertificateRow {
            code: r.try_get("code")?,
            enrolment_id: r.try_get("enrolment_id")?,
            learner_id: r.try_get("learner_id")?,
            learner_name: r.try_get("learner_name")?,
            course_title: r.try_get("course_title")?,
            course_version: r.try_get("course_version")?,
            credit_tenths: r.try_get("credit_tenths")?,
            completed_at: r.try_get("completed_at")?,
        })
    })
    .transpose()
}

/// A law-enforcement verification request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRow {
    pub id: i64,
    pub learner_id: i64,
    pub learner_name: String,
    pub learner_email: String,
    pub agency: String,
    pub badge: String,
    pub work_email: String,
    pub requested_at: i64,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

const REQUEST: &str = "SELECT r.id, r.learner_id, l.display_name AS learner_name, \
    l.email AS learner_email, r.agency, r.badge, r.work_email, r.requested_at, r.decision, \
    r.decided_by, r.decided_at, r.reason FROM verification_requests r \
    JOIN learners l ON l.id = r.learner_id";

fn request(r: sqlx::any::AnyRow) -> Result<VerificationRow, StoreError> {
    Ok(VerificationRow {
        id: r.try_get("id")?,
        learner_id: r.try_get("learner_id")?,
        learner_name: r.try_get("learner_name")?,
        learner_email: r.try_get("learner_email")?,
        agency: r.try_get("agency")?,
        badge: r.try_get("badge")?,
        work_email: r.try_get("work_email")?,
        requested_at: r.try_get("requested_at")?,
        decision: r.try_get("decision")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
    })
}

pub async fn insert_request<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    learner_id: i64,
    agency: &str,
    badge: &str,
    work_email: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO verification_requests (learner_id, agency, badge, work_email, requested_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(learner_id)
    .bind(agency)
    .bind(badge)
    .bind(work_email)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// A learner's newest request, decided or not.
pub async fn latest_request_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    learner_id: i64,
) -> Result<Option<VerificationRow>, StoreError> {
    sqlx::query(&format!(
        "{REQUEST} WHERE r.learner_id = $1 ORDER BY r.requested_at DESC, r.id DESC LIMIT 1"
    ))
    .bind(learner_id)
    .fetch_optional(ex)
    .await?
    .map(request)
    .transpose()
}

pub async fn request_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<VerificationRow, StoreError> {
    request(
        sqlx::query(&format!("{REQUEST} WHERE r.id = $1"))
            .bind(id)
            .fetch_one(ex)
            .await?,
    )
}

/// Requests waiting for a decision (oldest first), then the `decided` latest decisions.
pub async fn requests(
    ex: &mut sqlx::AnyConnection,
    decided: i64,
) -> Result<Vec<VerificationRow>, StoreError> {
    let mut rows = sqlx::query(&format!(
        "{REQUEST} WHERE r.decided_at IS NULL ORDER BY r.requested_at, r.id"
    ))
    .fetch_all(&mut *ex)
    .await?;
    rows.extend(
        sqlx::query(&format!(
            "{REQUEST} WHERE r.decided_at IS NOT NULL ORDER BY r.decided_at DESC, r.id DESC \
             LIMIT $1"
        ))
        .bind(decided)
        .fetch_all(&mut *ex)
        .await?,
    );
    rows.into_iter().map(request).collect()
}

/// Decides a request still open: `false` when someone else decided it first. Approving
/// verifies the learner in the same statement's transaction (the caller's).
pub async fn decide(
    ex: &mut sqlx::AnyConnection,
    id: i64,
    approve: bool,
    by: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let learner: Option<i64> = sqlx::query_scalar(
        "UPDATE verification_requests SET decision = $2, decided_by = $3, decided_at = $4, \
         reason = $5 WHERE id = $1 AND decided_at IS NULL RETURNING learner_id",
    )
    .bind(id)
    .bind(if approve { "approved" } else { "refused" })
    .bind(by)
    .bind(now)
    .bind(reason)
    .fetch_optional(&mut *ex)
    .await?;
    let Some(learner) = learner else {
        return Ok(false);
    };
    if approve {
        sqlx::query("UPDATE learners SET le_verified_at = $2 WHERE id = $1")
            .bind(learner)
            .bind(now)
            .execute(&mut *ex)
            .await?;
    }
    Ok(true)
}

/// A message the product asks to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

pub async fn queue_message<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    to: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (to_address, subject, body, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The newest messages to one address.
pub async fn messages_to<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    to: &str,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    sqlx::query(
        "SELECT id, to_address, subject, body, created_at FROM outbox \
         WHERE to_address = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(to)
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(MessageRow {
            id: r.try_get("id")?,
            to_address: r.try_get("to_address")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

/// The newest messages to anyone, for the administrator's outbox page.
pub async fn messages<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    sqlx::query(
        "SELECT id, to_address, subject, body, created_at FROM outbox ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(MessageRow {
            id: r.try_get("id")?,
            to_address: r.try_get("to_address")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

/// One enrolment as the statistics count it: no learner, only the course and the times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentFact {
    pub slug: String,
    pub title: String,
    pub credit_tenths: i64,
    pub enrolled_at: i64,
    pub completed_at: Option<i64>,
}

pub async fn enrolment_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<EnrolmentFact>, StoreError> {
    sqlx::query(
        "SELECT c.slug, c.title, c.credit_tenths, e.enrolled_at, e.completed_at \
         FROM enrolments e JOIN courses c ON c.id = e.course_id ORDER BY e.enrolled_at",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(EnrolmentFact {
            slug: r.try_get("slug")?,
            title: r.try_get("title")?,
            credit_tenths: r.try_get("credit_tenths")?,
            enrolled_at: r.try_get("enrolled_at")?,
            completed_at: r.try_get("completed_at")?,
        })
    })
    .collect()
}
