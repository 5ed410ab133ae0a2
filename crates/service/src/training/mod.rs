//! Training (issue 22): a course catalogue open to the public, learner accounts kept apart
//! from staff accounts (`learners.rs`: their own table and sessions, no way to case data),
//! progress per module with quiz attempts, completion with a certificate anyone can check by
//! its code, law-enforcement courses opened only after a verifier approved the learner, and
//! courses imported as files by supervisors. The counts (enrolments, completions, credit
//! hours by course and month) never list learners.

mod learners;

pub use learners::{normalise_email, FieldProblem, Registration, VerificationAsk};

use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{crypto, Ip, Services};
use ::training::model::hours;
use ::training::{Audience, CertificateCode, Course, QuizResult};
use domain::{Action, Principal};
use std::collections::BTreeMap;
use store::training as st;

/// The pure model, for callers (web, the demo) that write course files.
pub use ::training as model;

/// A signed-in learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerView {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// A verifier approved their law-enforcement request.
    pub le_verified: bool,
}

/// A course in the catalogue (its newest version).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CourseSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: Audience,
    pub audience_label: &'static str,
    /// "1.0"; "0.0" for none.
    pub credit_hours: String,
    pub version: i64,
    pub modules: usize,
}

/// One module in a course's contents, with the learner's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleItem {
    /// From 1, as shown and in URLs.
    pub number: usize,
    pub title: String,
    pub passed: bool,
}

/// A course page: the summary, the contents and where the learner is.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseView {
    pub course: CourseSummary,
    pub modules: Vec<ModuleItem>,
    pub enrolled: bool,
    pub completed_at: Option<i64>,
    /// The certificate's code, grouped, once complete.
    pub certificate: Option<String>,
}

/// A question as shown: the prompt and the choices, never the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionView {
    pub prompt: String,
    pub choices: Vec<String>,
}

/// A module page: its text as safe HTML and its quiz.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleView {
    pub course: CourseSummary,
    pub number: usize,
    pub of: usize,
    pub title: String,
    /// Rendered by `training::markdown::render`: no HTML from the course file survives.
    pub html: String,
    pub pass_mark: u8,
    pub questions: Vec<QuestionView>,
    pub passed: bool,
    pub attempts: i64,
}

/// What submitting a quiz did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizOutcome {
    pub result: QuizResult,
    pub pass_mark: u8,
    /// This pass completed the course.
    pub completed: bool,
    pub certificate: Option<String>,
}

/// A certificate, as its public check shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateView {
    pub code: String,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i64,
    pub credit_hours: String,
    /// UTC microseconds.
    pub completed_at: i64,
    /// "7 December 2026".
    pub completed_on: String,
}

/// One of a learner's enrolments.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentView {
    pub course: CourseSummary,
    pub passed: usize,
    pub modules: usize,
    pub completed_at: Option<i64>,
    pub certificate: Option<String>,
}

/// A law-enforcement verification request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerificationView {
    pub id: i64,
    pub learner_name: String,
    pub learner_email: String,
    pub agency: String,
    pub badge: String,
    pub work_email: String,
    pub requested_at: i64,
    /// Whole hours since the request, while it waits.
    pub waiting_hours: Option<i64>,
    /// "approved" or "refused".
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

impl VerificationView {
    fn from_row(r: st::VerificationRow, now: i64) -> VerificationView {
        VerificationView {
            id: r.id,
            learner_name: r.learner_name,
            learner_email: r.learner_email,
            agency: r.agency,
            badge: r.badge,
            work_email: r.work_email,
            requested_at: r.requested_at,
            waiting_hours: r
                .decided_at
                .is_none()
                .then(|| ((now - r.requested_at) / 3_600_000_000).max(0)),
            decision: r.decision,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reason: r.reason,
        }
    }
}

/// One row of the training report: a course in a month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    pub slug: String,
    pub title: String,
    /// `YYYY-MM` (UTC).
    pub month: String,
    pub enrolments: i64,
    pub completions: i64,
    /// Credit hours earned by the month's completions, "3.0".
    pub credit_hours: String,
}

fn summary(row: &st::CourseRow, course: &Course) -> CourseSummary {
    CourseSummary {
        slug: row.slug.clone(),
        title: row.title.clone(),
        summary: course.summary.clone(),
        audience: row.audience,
        audience_label: row.audience.label(),
        credit_hours: hours(row.credit_tenths),
        version: row.version,
        modules: course.modules.len(),
    }
}

fn parse_stored(row: &st::CourseRow) -> Result<Course> {
    serde_json::from_str(&row.course_json).map_err(|e| ServiceError::Internal(Box::new(e)))
}

fn month_of(micros: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

fn long_date(micros: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{} {} {}", t.day(), t.month(), t.year())
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("the course")
}

fn certificate_view(c: st::CertificateRow) -> CertificateView {
    let code = CertificateCode::parse(&c.code)
        .map(|k| k.to_string())
        .unwrap_or(c.code);
    CertificateView {
        code,
        learner_name: c.learner_name,
        course_title: c.course_title,
        course_version: c.course_version,
        credit_hours: hours(c.credit_tenths),
        completed_at: c.completed_at,
        completed_on: long_date(c.completed_at),
    }
}

impl Services {
    /// The catalogue a visitor or learner sees: law-enforcement courses only for a verified
    /// learner. Staff (`ViewTraining`) see every course.
    pub async fn course_catalogue(
        &self,
        learner: Option<&LearnerView>,
        staff: Option<&Principal>,
    ) -> Result<Vec<CourseSummary>> {
        let all_open =
            staff.is_some_and(|p| domain::policy::permits(Some(p), Action::ViewTraining));
        let verified = learner.is_some_and(|l| l.le_verified);
        let mut out = Vec::new();
        for row in st::current_courses(self.store.reader()).await? {
            if all_open || row.audience.open_to(verified) {
                out.push(summary(&row, &parse_stored(&row)?));
            }
        }
        Ok(out)
    }

    /// The newest version of a course the learner may see; a law-enforcement course is
    /// not found for anyone else (not refused: its existence is not announced).
    async fn visible_course(
        &self,
        learner: Option<&LearnerView>,
        slug: &str,
    ) -> Result<(st::CourseRow, Course)> {
        let row = st::current_course(self.store.reader(), slug)
            .await?
            .ok_or_else(not_found)?;
        if !row.audience.open_to(learner.is_some_and(|l| l.le_verified)) {
            return Err(not_found());
        }
        let course = parse_stored(&row)?;
        Ok((row, course))
    }

    /// A course page. A learner already enrolled sees the version they began.
    pub async fn course_page(
        &self,
        learner: Option<&LearnerView>,
        slug: &str,
    ) -> Result<CourseView> {
        let (mut row, mut course) = self.visible_course(learner, slug).await?;
        let mut enrolment = None;
        if let Some(l) = learner {
            let mut conn = self
                .store
                .reader()
                .acquire()
                .await
                .map_err(store::StoreError::from)?;
            if let Some(e) = st::enrolment_in(&mut conn, l.id, slug).await? {
                course = parse_stored(&e.course)?;
                row = e.course.clone();
                enrolment = Some(e);
            }
        }
        let passed = |i: usize| {
            enrolment
                .as_ref()
                .is_some_and(|e| e.passed.contains(&(i as i64)))
        };
        Ok(CourseView {
            course: summary(&row, &course),
            modules: course
                .modules
                .iter()
                .enumerate()
                .map(|(i, m)| ModuleItem {
                    number: i + 1,
                    title: m.title.clone(),
                    passed: passed(i),
                })
                .collect(),
            enrolled: enrolment.is_some(),
            completed_at: enrolment.as_ref().and_then(|e| e.completed_at),
            certificate: enrolment
                .as_ref()
                .and_then(|e| e.certificate.as_deref())
                .map(|c| {
                    CertificateCode::parse(c)
                        .map(|k| k.to_string())
                        .unwrap_or(c.to_owned())
                }),
        })
    }

    /// The learner's enrolment in a course, begun now (on the newest version) if need be.
    async fn enrol(
        &self,
        learner: &LearnerView,
        slug: &str,
        ip: &Ip,
    ) -> Result<(st::EnrolmentRow, Course)> {
        let (row, _) = self.visible_course(Some(learner), slug).await?;
        let mut conn = self
            .store
            .reader()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        if let Some(e) = st::enrolment_in(&mut conn, learner.id, slug).await? {
            let course = parse_stored(&e.course)?;
            return Ok((e, course));
        }
        drop(conn);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = match st::insert_enrolment(&mut *tx, learner.id, row.id, now).await {
            Ok(id) => id,
            // Two first visits at once: the other one enrolled.
            Err(store::StoreError::Conflict(_)) => {
                drop(tx);
                let mut conn = self
                    .store
                    .reader()
                    .acquire()
                    .await
                    .map_err(store::StoreError::from)?;
                let e = st::enrolment_in(&mut conn, learner.id, slug)
                    .await?
                    .ok_or_else(not_found)?;
                let course = parse_stored(&e.course)?;
                return Ok((e, course));
            }
            Err(e) => return Err(e.into()),
        };
        audited(
            &mut tx,
            &By::learner(learner.id, ip.clone(), now),
            "learner.enrol",
            Subject::Other("course".into(), format!("{slug} v{}", row.version)),
            None,
        )
        .await?;
        let e = st::enrolment(&mut tx, id).await?;
        store::commit(tx).await?;
        let course = parse_stored(&e.course)?;
        Ok((e, course))
    }

    /// A module page (enrolling the learner on their first visit).
    pub async fn module_page(
        &self,
        learner: &LearnerView,
        slug: &str,
        number: usize,
        ip: Ip,
    ) -> Result<ModuleView> {
        let (e, course) = self.enrol(learner, slug, &ip).await?;
        let m = number
            .checked_sub(1)
            .and_then(|i| course.modules.get(i))
            .ok_or(ServiceError::NotFound("the module"))?;
        let attempts = st::attempts(self.store.reader(), e.id, (number - 1) as i64).await?;
        Ok(ModuleView {
            course: summary(&e.course, &course),
            number,
            of: course.modules.len(),
            title: m.title.clone(),
            html: ::training::markdown::render_with_images(
                &m.body,
                ::training::markdown::CourseImages::of(&course),
            ),
            pass_mark: m.quiz.pass_mark,
            questions: m
                .quiz
                .questions
                .iter()
                .map(|q| QuestionView {
                    prompt: q.prompt.clone(),
                    choices: q.choices.clone(),
                })
                .collect(),
            passed: e.passed.contains(&((number - 1) as i64)),
            attempts,
        })
    }

    /// An image of a course, as the course page would show it: a law-enforcement course's
    /// images are not found for anyone not verified, and an enrolled learner gets their
    /// version's. Returns the content type and the (sanitised) bytes.
    pub async fn course_image(
        &self,
        learner: &LearnerView,
        slug: &str,
        name: &str,
    ) -> Result<(&'static str, Vec<u8>)> {
        let (_, mut course) = self.visible_course(Some(learner), slug).await?;
        let mut conn = self
            .store
            .reader()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        if let Some(e) = st::enrolment_in(&mut conn, learner.id, slug).await? {
            course = parse_stored(&e.course)?;
        }
        let image = course
            .image(name)
            .ok_or(ServiceError::NotFound("the image"))?;
        let bytes = image.bytes().ok_or(ServiceError::NotFound("the image"))?;
        Ok((image.mime(), bytes))
    }

    /// Marks an attempt at a module's quiz; passing the last module completes the course
    /// and gives its certificate, in the same transaction.
    pub async fn submit_quiz(
        &self,
        learner: &LearnerView,
        slug: &str,
        number: usize,
        answers: &[Option<usize>],
        ip: Ip,
    ) -> Result<QuizOutcome> {
        let (e, course) = self.enrol(learner, slug, &ip).await?;
        let index = number
            .checked_sub(1)
            .ok_or(ServiceError::NotFound("the module"))?;
        let m = course
            .modules
            .get(index)
            .ok_or(ServiceError::NotFound("the module"))?;
        let result = m.quiz.mark(answers);
        let now = self.now();
        let by = By::learner(learner.id, ip, now);
        let mut tx = self.store.begin().await?;
        st::record_attempt(
            &mut tx,
            e.id,
            index as i64,
            result.correct as i64,
            result.total as i64,
            result.passed,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &by,
            if result.passed {
                "learner.quiz_passed"
            } else {
                "learner.quiz_failed"
            },
            Subject::Other(
                "course".into(),
                format!("{slug} v{} module {number}", e.course.version),
            ),
            Some(format!("{} of {}", result.correct, result.total)),
        )
        .await?;
        let mut completed = false;
        let mut certificate = e.certificate.clone();
        if result.passed && e.completed_at.is_none() {
            let mut passed: Vec<usize> = e.passed.iter().map(|p| *p as usize).collect();
            passed.push(index);
            if ::training::model::is_complete(course.modules.len(), &passed) {
                let code = CertificateCode::from_random(crypto::random_bytes::<11>());
                if st::complete(
                    &mut tx,
                    e.id,
                    code.as_str(),
                    &learner.name,
                    &e.course.title,
                    e.course.version,
                    e.course.credit_tenths,
                    now,
                )
                .await?
                {
                    audited(
                        &mut tx,
                        &by,
                        "learner.course_completed",
                        Subject::Other("certificate".into(), code.to_string()),
                        None,
                    )
                    .await?;
                    completed = true;
                    certificate = Some(code.as_str().to_owned());
                }
            }
        }
        store::commit(tx).await?;
        Ok(QuizOutcome {
            result,
            pass_mark: m.quiz.pass_mark,
            completed,
            certificate: certificate.map(|c| {
                CertificateCode::parse(&c)
                    .map(|k| k.to_string())
                    .unwrap_or(c)
            }),
        })
    }

    /// A learner's courses with their progress.
    pub async fn my_training(&self, learner: &LearnerView) -> Result<Vec<EnrolmentView>> {
        let mut conn = self
            .store
            .reader()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        let mut out = Vec::new();
        for e in st::enrolments_of(&mut conn, learner.id).await? {
            let course = parse_stored(&e.course)?;
            out.push(EnrolmentView {
                course: summary(&e.course, &course),
                passed: e.passed.len(),
                modules: course.modules.len(),
                completed_at: e.completed_at,
                certificate: e.certificate.map(|c| {
                    CertificateCode::parse(&c)
                        .map(|k| k.to_string())
                        .unwrap_or(c)
                }),
            });
        }
        Ok(out)
    }

    /// The public check of a certificate code: `Err(Invalid)` for a mistyped code (with
    /// what is wrong), `Ok(None)` for a well-formed code no certificate has.
    pub async fn check_certificate(&self, code: &str) -> Result<Option<CertificateView>> {
        let code =
            CertificateCode::parse(code).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        Ok(st::certificate(self.store.reader(), code.as_str())
            .await?
            .map(certificate_view))
    }

    /// A learner's own certificate as a PDF; `check_url` is the public address of the
    /// check page, printed on it.
    pub async fn certificate_pdf(
        &self,
        learner: &LearnerView,
        code: &str,
        check_base: &str,
    ) -> Result<(CertificateView, Vec<u8>)> {
        let parsed =
            CertificateCode::parse(code).map_err(|_| ServiceError::NotFound("the certificate"))?;
        let c = st::certificate(self.store.reader(), parsed.as_str())
            .await?
            .filter(|c| c.learner_id == learner.id)
            .ok_or(ServiceError::NotFound("the certificate"))?;
        let v = certificate_view(c);
        let line = |text: String, size: f32, bold: bool, space_before: f32| casework::DocLine {
            text,
            size,
            bold,
            space_before,
        };
        let credit = if v.credit_hours == "0.0" {
            "No continuing-education credit".to_owned()
        } else {
            format!("{} continuing-education hours", v.credit_hours)
        };
        let lines = [
            line("Certificate of completion".into(), 30.0, true, 20.0),
            line("This certifies that".into(), 14.0, false, 40.0),
            line(v.learner_name.clone(), 26.0, true, 14.0),
            line("completed the course".into(), 14.0, false, 14.0),
            line(v.course_title.clone(), 20.0, true, 14.0),
            line(format!("version {}", v.course_version), 12.0, false, 4.0),
            line(format!("on {}", v.completed_on), 14.0, false, 18.0),
            line(credit, 14.0, false, 18.0),
            line(format!("Verification code: {}", v.code), 16.0, true, 60.0),
            line(
                format!(
                    "Anyone can check this certificate at {check_base}/certificates/{}",
                    v.code
                ),
                11.0,
                false,
                10.0,
            ),
        ];
        let pdf = casework::centred_document(&format!("Certificate: {}", v.course_title), &lines);
        Ok((v, pdf))
    }

    /// Imports a course file as a new version (or a new course). The version must be
    /// newer than every published one, so a learner's course never changes under them.
    pub async fn import_course(
        &self,
        who: &Principal,
        text: &str,
        ip: Ip,
    ) -> Result<CourseSummary> {
        if !domain::policy::permits(Some(who), Action::ManageCourses) {
            return Err(ServiceError::Forbidden);
        }
        let course = Course::parse(text).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.publish_course(&By::person(who, ip, self.now()), &course)
            .await
    }

    /// Publishes a course checked by the caller: the import and the demo seed.
    pub async fn publish_course_as_system(&self, course: &Course) -> Result<CourseSummary> {
        course
            .check()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.publish_course(&By::system("demo seed", self.now()), course)
            .await
    }

    async fn publish_course(&self, by: &By, course: &Course) -> Result<CourseSummary> {
        let now = by.at();
        let mut tx = self.store.begin().await?;
        if let Some(current) = st::current_course(&mut *tx, &course.slug).await? {
            if current.version >= i64::from(course.version) {
                return Err(ServiceError::Conflict(format!(
                    "Version {} of \"{}\" is already published: raise the file's version above {} \
                     to publish a new one.",
                    course.version, course.slug, current.version
                )));
            }
        }
        let json =
            serde_json::to_string(course).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let id = st::insert_course(
            &mut *tx,
            &course.slug,
            i64::from(course.version),
            &course.title,
            course.audience,
            course.credit_tenths(),
            &json,
            by.name(),
            now,
        )
        .await?;
        audited(
            &mut tx,
            by,
            "training.course_published",
            Subject::Other(
                "course".into(),
                format!("{} v{}", course.slug, course.version),
            ),
            None,
        )
        .await?;
        let row = st::course_by_id(&mut *tx, id).await?;
        store::commit(tx).await?;
        Ok(summary(&row, course))
    }

    /// The newest version of a course as its file, for staff (export).
    pub async fn course_file(&self, who: &Principal, slug: &str) -> Result<String> {
        if !domain::policy::permits(Some(who), Action::ViewTraining) {
            return Err(ServiceError::Forbidden);
        }
        let row = st::current_course(self.store.reader(), slug)
            .await?
            .ok_or_else(not_found)?;
        Ok(parse_stored(&row)?.to_toml())
    }

    /// Enrolments, completions and credit hours by course and month (UTC): counts only.
    pub async fn training_report(&self, who: &Principal) -> Result<Vec<ReportRow>> {
        if !domain::policy::permits(Some(who), Action::ViewTraining) {
            return Err(ServiceError::Forbidden);
        }
        let mut groups: BTreeMap<(String, String), (String, i64, i64, i64)> = BTreeMap::new();
        for f in st::enrolment_facts(self.store.reader()).await? {
            let g = groups
                .entry((f.slug.clone(), month_of(f.enrolled_at)))
                .or_insert_with(|| (f.title.clone(), 0, 0, 0));
            g.1 += 1;
            if let Some(done) = f.completed_at {
                let g = groups
                    .entry((f.slug.clone(), month_of(done)))
                    .or_insert_with(|| (f.title.clone(), 0, 0, 0));
                g.2 += 1;
                g.3 += f.credit_tenths;
            }
        }
        Ok(groups
            .into_iter()
            .map(
                |((slug, month), (title, enrolments, completions, tenths))| ReportRow {
                    slug,
                    title,
                    month,
                    enrolments,
                    completions,
                    credit_hours: hours(tenths),
                },
            )
            .collect())
    }
}
