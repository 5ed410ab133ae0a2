//! Training pages. Public: the catalogue, the certificate check. A learner's own (the
//! [`Learner`] extractor, with its own `ch_learner` session cookie, never a staff session):
//! register, confirm the email, sign in and out, a course, a module with its quiz, "My
//! training" with certificates and the law-enforcement verification request. Staff: the
//! verifiers' queue, course import and the counts by course and month.
//!
//! A learner is anonymous to every staff route: `guard::identify` reads only `ch_session`
//! and API tokens, so a learner cookie opens nothing there.

use super::forms::FieldErrors;
use super::{age, render, when};
use crate::ctx::{AppState, Ctx};
use crate::error::AppError;
use crate::flash;
use crate::guard::{cookie, set_cookie};
use crate::layout::Layout;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::permits;
use domain::Action;
use serde::Deserialize;
use service::training::{
    CertificateView, CourseSummary, CourseView, EnrolmentView, FieldProblem, LearnerView,
    ModuleView, QuizOutcome, Registration, ReportRow, VerificationAsk, VerificationView,
};
use service::ServiceError;

/// The learner's session cookie; separate from staff's `ch_session`.
pub const LEARNER_COOKIE: &str = "ch_learner";

/// A signed-in learner; without one, the page sends the visitor to sign in.
pub struct Learner(pub LearnerView);

/// The learner, if one is signed in.
pub struct MaybeLearner(pub Option<LearnerView>);

async fn learner_of(parts: &Parts, state: &AppState) -> Option<LearnerView> {
    let token = cookie(state, &parts.headers, LEARNER_COOKIE)?;
    state.services.learner_session(token).await.ok().flatten()
}

impl FromRequestParts<AppState> for Learner {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match learner_of(parts, state).await {
            Some(l) => Ok(Learner(l)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/training");
                Err(
                    Redirect::to(&format!("/training/sign-in?next={}", super::enc(next)))
                        .into_response(),
                )
            }
        }
    }
}

impl FromRequestParts<AppState> for MaybeLearner {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeLearner(learner_of(parts, state).await))
    }
}

/// What the training pages show above their content: who is learning, and the staff
/// links for those who may use them.
pub struct TrainingBar {
    pub learner: Option<LearnerView>,
    pub verify: bool,
    pub manage: bool,
    pub report: bool,
    pub outbox: bool,
}

fn bar(ctx: &Ctx, learner: Option<LearnerView>) -> TrainingBar {
    let p = ctx.identity.principal();
    TrainingBar {
        learner,
        verify: permits(p, Action::VerifyLearners),
        manage: permits(p, Action::ManageCourses),
        report: permits(p, Action::ViewTraining),
        outbox: permits(p, Action::ManageUsers),
    }
}

fn problems(list: Vec<FieldProblem>, labels: &[(&str, &str)]) -> FieldErrors {
    let mut fe = FieldErrors::default();
    for p in list {
        let label = labels
            .iter()
            .find(|(f, _)| *f == p.field)
            .map(|(_, l)| *l)
            .unwrap_or(p.field);
        fe.push(p.field, format!("{label}: {}", p.message), p.message);
    }
    fe
}

fn unprocessable(html: axum::response::Html<String>) -> Response {
    let mut res = html.into_response();
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

// The catalogue -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "training.html")]
struct CataloguePage {
    layout: Layout,
    bar: TrainingBar,
    courses: Vec<CourseSummary>,
}

pub async fn catalogue(
    ctx: Ctx,
    MaybeLearner(learner): MaybeLearner,
) -> Result<Response, AppError> {
    let courses = ctx
        .state
        .services
        .course_catalogue(learner.as_ref(), ctx.identity.principal())
        .await?;
    Ok(render(&CataloguePage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Training", &ctx.path),
        bar: bar(&ctx, learner),
        courses,
    })?
    .into_response())
}

// Registering, confirming, signing in ---------------------------------------------------

#[derive(Template)]
#[template(path = "training_register.html")]
struct RegisterPage {
    layout: Layout,
    bar: TrainingBar,
    fe: FieldErrors,
    name: String,
    email: String,
    /// After a registration: where the confirmation went.
    sent_to: Option<String>,
}

pub async fn register_form(ctx: Ctx) -> Result<Response, AppError> {
    Ok(render(&RegisterPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Create a learner account",
            &ctx.path,
        ),
        bar: bar(&ctx, None),
        fe: FieldErrors::default(),
        name: String::new(),
        email: String::new(),
        sent_to: None,
    })?
    .into_response())
}

pub async fn register(ctx: Ctx, Form(r): Form<Registration>) -> Result<Response, AppError> {
    let outcome = ctx
        .state
        .services
        .register_learner(&r, ctx.ip.clone())
        .await?;
    let (fe, sent_to, status_ok) = match outcome {
        Ok(()) => (
            FieldErrors::default(),
            Some(r.email.trim().to_lowercase()),
            true,
        ),
        Err(list) => (
            problems(
                list,
                &[
                    ("name", "Name"),
                    ("email", "Email"),
                    ("password", "Password"),
                ],
            ),
            None,
            false,
        ),
    };
    let html = render(&RegisterPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Create a learner account",
            &ctx.path,
        ),
        bar: bar(&ctx, None),
        fe,
        name: r.name,
        email: r.email,
        sent_to,
    })?;
    Ok(if status_ok {
        html.into_response()
    } else {
        unprocessable(html)
    })
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn verify_email(ctx: Ctx, Query(q): Query<TokenQuery>) -> Result<Response, AppError> {
    ctx.state
        .services
        .verify_learner_email(&q.token, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/training/sign-in",
        "Your email is confirmed. Sign in to start training.",
    ))
}

#[derive(Template)]
#[template(path = "training_sign_in.html")]
struct SignInPage {
    layout: Layout,
    bar: TrainingBar,
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn sign_in_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    Ok(render(&SignInPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Sign in to training", &ctx.path),
        bar: bar(&ctx, None),
        error: None,
        email: String::new(),
        next: q.next,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where a learner may be sent after signing in: a training page of this site only.
fn training_next(next: &str) -> &str {
    let local = super::local_path(next);
    if local.starts_with("/training") {
        local
    } else {
        "/training/me"
    }
}

pub async fn sign_in(ctx: Ctx, Form(f): Form<SignInForm>) -> Result<Response, AppError> {
    let s = &ctx.state.services;
    // An empty field is the form's problem, not a failed sign-in: nothing is checked or
    // counted against the account.
    if f.email.trim().is_empty() || f.password.is_empty() {
        let html = render(&SignInPage {
            layout: Layout::new(&ctx.state, &ctx.identity, "Sign in to training", &ctx.path),
            bar: bar(&ctx, None),
            error: Some("Enter your email and your password.".to_owned()),
            email: f.email,
            next: f.next,
        })?;
        return Ok(unprocessable(html));
    }
    match s
        .learner_sign_in(&f.email, &f.password, ctx.ip.clone())
        .await
    {
        Ok(token) => {
            let to = training_next(&f.next).to_owned();
            Ok((
                [(
                    header::SET_COOKIE,
                    set_cookie(&ctx.state, LEARNER_COOKIE, &token, None),
                )],
                Redirect::to(&to),
            )
                .into_response())
        }
        Err(e @ (ServiceError::InvalidCredentials | ServiceError::ForbiddenHere(_))) => {
            let (status, message) = match &e {
                ServiceError::InvalidCredentials => (
                    StatusCode::UNAUTHORIZED,
                    "The email or password is not correct. Check them and try again.".to_owned(),
                ),
                other => (StatusCode::FORBIDDEN, other.to_string()),
            };
            let mut res = render(&SignInPage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Sign in to training", &ctx.path),
                bar: bar(&ctx, None),
                error: Some(message),
                email: f.email,
                next: f.next,
            })?
            .into_response();
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(ctx: Ctx, parts: axum::http::HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = cookie(&ctx.state, &parts, LEARNER_COOKIE) {
        ctx.state.services.learner_sign_out(token).await?;
    }
    let mut res = flash::redirect(&ctx, "/training", "You are signed out of training.");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&ctx.state, LEARNER_COOKIE, "", Some(0)),
    );
    Ok(res)
}

// A course and its modules --------------------------------------------------------------

#[derive(Template)]
#[template(path = "training_course.html")]
struct CoursePage {
    layout: Layout,
    bar: TrainingBar,
    c: CourseView,
    /// The first module not yet passed (from 1).
    next: Option<usize>,
}

pub async fn course(
    ctx: Ctx,
    MaybeLearner(learner): MaybeLearner,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let c = ctx
        .state
        .services
        .course_page(learner.as_ref(), &slug)
        .await?;
    let next = c.modules.iter().find(|m| !m.passed).map(|m| m.number);
    Ok(render(&CoursePage {
        layout: Layout::new(&ctx.state, &ctx.identity, &c.course.title, &ctx.path),
        bar: bar(&ctx, learner),
        c,
        next,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "training_module.html")]
struct ModulePage {
    layout: Layout,
    bar: TrainingBar,
    m: ModuleView,
    outcome: Option<QuizOutcome>,
    /// The answers just given, to keep them checked after a failed attempt.
    given: Vec<Option<usize>>,
    fe: FieldErrors,
}

impl ModulePage {
    fn checked(&self, q: &usize, c: &usize) -> bool {
        self.given.get(*q).copied().flatten() == Some(*c)
    }
}

pub async fn module(
    ctx: Ctx,
    Learner(l): Learner,
    Path((slug, n)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let m = ctx
        .state
        .services
        .module_page(&l, &slug, n, ctx.ip.clone())
        .await?;
    Ok(render(&ModulePage {
        layout: Layout::new(&ctx.state, &ctx.identity, &m.title, &ctx.path),
        bar: bar(&ctx, Some(l)),
        m,
        outcome: None,
        given: Vec::new(),
        fe: FieldErrors::default(),
    })?
    .into_response())
}

/// An image of a course, for its module pages. The URL carries the version (`?v=`), so
/// the browser may keep it a day; `private` keeps it out of shared caches, as the course
/// may be for verified learners only.
pub async fn course_image(
    ctx: Ctx,
    Learner(l): Learner,
    Path((slug, name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (mime, bytes) = ctx.state.services.course_image(&l, &slug, &name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

/// The quiz's answers: `q0`, `q1`, … each the index of the choice.
pub async fn submit_quiz(
    ctx: Ctx,
    Learner(l): Learner,
    Path((slug, n)): Path<(String, usize)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = &ctx.state.services;
    let m = s.module_page(&l, &slug, n, ctx.ip.clone()).await?;
    let given: Vec<Option<usize>> = (0..m.questions.len())
        .map(|i| {
            let key = format!("q{i}");
            fields
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect();
    let mut fe = FieldErrors::default();
    for (i, g) in given.iter().enumerate() {
        if g.is_none() {
            fe.push(
                &format!("q{i}-0"),
                format!("Question {}: choose an answer", i + 1),
                "Choose an answer",
            );
        }
    }
    if !fe.is_empty() {
        let html = render(&ModulePage {
            layout: Layout::new(&ctx.state, &ctx.identity, &m.title, &ctx.path),
            bar: bar(&ctx, Some(l)),
            m,
            outcome: None,
            given,
            fe,
        })?;
        return Ok(unprocessable(html));
    }
    let outcome = s.submit_quiz(&l, &slug, n, &given, ctx.ip.clone()).await?;
    if outcome.result.passed {
        let course_href = format!("/training/courses/{slug}");
        return Ok(if outcome.completed {
            flash::redirect_with_link(
                &ctx,
                &course_href,
                "You passed the last quiz and completed the course.",
                "/training/me",
                "Download your certificate",
            )
        } else if n < m.of {
            flash::redirect(
                &ctx,
                &format!("{course_href}/modules/{}", n + 1),
                format!(
                    "You passed module {n}: {} of {} correct. This is module {}.",
                    outcome.result.correct,
                    outcome.result.total,
                    n + 1
                ),
            )
        } else {
            flash::redirect(
                &ctx,
                &course_href,
                format!(
                    "You passed module {n}: {} of {} correct.",
                    outcome.result.correct, outcome.result.total
                ),
            )
        });
    }
    // A failed attempt stays on the page, with what to do next.
    let m = s.module_page(&l, &slug, n, ctx.ip.clone()).await?;
    Ok(render(&ModulePage {
        layout: Layout::new(&ctx.state, &ctx.identity, &m.title, &ctx.path),
        bar: bar(&ctx, Some(l)),
        m,
        outcome: Some(outcome),
        given,
        fe: FieldErrors::default(),
    })?
    .into_response())
}

// My training ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "training_me.html")]
struct MePage {
    layout: Layout,
    bar: TrainingBar,
    learner: LearnerView,
    enrolments: Vec<EnrolmentView>,
    verification: Option<VerificationView>,
    /// No request is waiting: the form is offered.
    can_ask: bool,
    fe: FieldErrors,
    ask: VerificationAsk,
}

async fn me_page(
    ctx: &Ctx,
    l: LearnerView,
    fe: FieldErrors,
    ask: VerificationAsk,
) -> Result<axum::response::Html<String>, AppError> {
    let s = &ctx.state.services;
    let enrolments = s.my_training(&l).await?;
    let verification = s.my_verification(&l).await?;
    render(&MePage {
        layout: Layout::new(&ctx.state, &ctx.identity, "My training", &ctx.path),
        bar: bar(ctx, Some(l.clone())),
        learner: l,
        enrolments,
        can_ask: verification
            .as_ref()
            .is_none_or(|v| v.waiting_hours.is_none()),
        verification,
        fe,
        ask,
    })
}

pub async fn me(ctx: Ctx, Learner(l): Learner) -> Result<Response, AppError> {
    Ok(
        me_page(&ctx, l, FieldErrors::default(), VerificationAsk::default())
            .await?
            .into_response(),
    )
}

pub async fn request_verification(
    ctx: Ctx,
    Learner(l): Learner,
    Form(ask): Form<VerificationAsk>,
) -> Result<Response, AppError> {
    match ctx
        .state
        .services
        .request_verification(&l, &ask, ctx.ip.clone())
        .await?
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            "/training/me",
            "Your request was sent. A verifier checks it; this may take up to 24 hours.",
        )),
        Err(list) => {
            let fe = problems(
                list,
                &[
                    ("agency", "Agency"),
                    ("badge", "Badge or ID number"),
                    ("work_email", "Work email"),
                ],
            );
            Ok(unprocessable(me_page(&ctx, l, fe, ask).await?))
        }
    }
}

/// The learner's own certificate, as a PDF download.
pub async fn certificate_pdf(
    ctx: Ctx,
    Learner(l): Learner,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if ctx.state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let (v, pdf) = ctx
        .state
        .services
        .certificate_pdf(&l, &code, &format!("{scheme}://{host}"))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"certificate-{}.pdf\"", v.code),
            ),
        ],
        pdf,
    )
        .into_response())
}

// The public check ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "training_certificate.html")]
struct CheckPage {
    layout: Layout,
    code: String,
    found: Option<CertificateView>,
    /// Why the code is not a certificate's: mistyped, or unknown.
    problem: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// The check form; with `?code=` it goes to the code's own page.
pub async fn check_form(ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response, AppError> {
    let code = q.code.trim();
    if !code.is_empty() {
        return Ok(Redirect::to(&format!("/certificates/{}", super::enc(code))).into_response());
    }
    Ok(render(&CheckPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Check a certificate", &ctx.path),
        code: String::new(),
        found: None,
        problem: None,
    })?
    .into_response())
}

pub async fn check(ctx: Ctx, Path(code): Path<String>) -> Result<Response, AppError> {
    let (found, problem, status) = match ctx.state.services.check_certificate(&code).await {
        Ok(Some(c)) => (Some(c), None, StatusCode::OK),
        Ok(None) => (
            None,
            Some("No certificate has this code. Check that it was typed as printed on the certificate.".to_owned()),
            StatusCode::NOT_FOUND,
        ),
        Err(ServiceError::Invalid(m)) => (None, Some(format!("This is not a valid code: {m}.")), StatusCode::NOT_FOUND),
        Err(e) => return Err(e.into()),
    };
    let mut res = render(&CheckPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Check a certificate", &ctx.path),
        code,
        found,
        problem,
    })?
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

// Staff: verifying learners -------------------------------------------------------------

#[derive(Template)]
#[template(path = "training_verification.html")]
struct VerificationPage {
    layout: Layout,
    waiting: Vec<VerificationView>,
    decided: Vec<VerificationView>,
}

pub async fn verification_requests(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let all = ctx.state.services.verification_queue(p).await?;
    // Learners' names, work e-mails and badges: listed people, audited like other lists.
    super::audit_list(
        &ctx,
        "/training/verification-requests",
        all.iter().map(|v| v.id),
    )
    .await?;
    let (waiting, decided) = all.into_iter().partition(|v| v.decision.is_none());
    Ok(render(&VerificationPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Law-enforcement verification",
            &ctx.path,
        ),
        waiting,
        decided,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose Approve or Refuse.",
            ))
        }
    };
    ctx.state
        .services
        .decide_verification(p, id, approve, &f.reason, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/training/verification-requests",
        if approve {
            "Request approved: the learner now sees law-enforcement courses."
        } else {
            "Request refused: the learner sees your reason."
        },
    ))
}

// Staff: courses and the report ---------------------------------------------------------

#[derive(Template)]
#[template(path = "training_admin.html")]
struct AdminPage {
    layout: Layout,
    courses: Vec<CourseSummary>,
    report: Vec<ReportRow>,
    manage: bool,
    fe: FieldErrors,
    file: String,
}

async fn admin_page(
    ctx: &Ctx,
    fe: FieldErrors,
    file: String,
) -> Result<axum::response::Html<String>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    render(&AdminPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Training courses and report",
            &ctx.path,
        ),
        courses: s.course_catalogue(None, Some(p)).await?,
        report: s.training_report(p).await?,
        manage: permits(Some(p), Action::ManageCourses),
        fe,
        file,
    })
}

pub async fn admin(ctx: Ctx) -> Result<Response, AppError> {
    Ok(admin_page(&ctx, FieldErrors::default(), String::new())
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    file: String,
}

pub async fn import(ctx: Ctx, Form(f): Form<ImportForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .import_course(p, &f.file, ctx.ip.clone())
        .await
    {
        Ok(c) => Ok(flash::redirect_with_link(
            &ctx,
            "/training/admin",
            &format!("Published \"{}\", version {}.", c.title, c.version),
            &format!("/training/courses/{}", c.slug),
            "Open the course",
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            let fe = FieldErrors::one("file", m);
            Ok(unprocessable(admin_page(&ctx, fe, f.file).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// The newest version of a course as its TOML file.
pub async fn course_file(ctx: Ctx, Path(slug): Path<String>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let text = ctx.state.services.course_file(p, &slug).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}.toml\""),
            ),
        ],
        text,
    )
        .into_response())
}

pub async fn report_csv(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let rows = ctx.state.services.training_report(p).await?;
    let body = super::csv::table(
        &[
            "course",
            "title",
            "month",
            "enrolments",
            "completions",
            "credit_hours",
        ],
        rows.iter().map(|r| {
            vec![
                r.slug.clone(),
                r.title.clone(),
                r.month.clone(),
                r.enrolments.to_string(),
                r.completions.to_string(),
                r.credit_hours.clone(),
            ]
        }),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"training-report.csv\"".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

// Administrators: the outbox ------------------------------------------------------------

#[derive(Template)]
#[template(path = "training_outbox.html")]
struct OutboxPage {
    layout: Layout,
    /// (to, subject, body, queued at).
    messages: Vec<(String, String, String, String)>,
}

pub async fn outbox(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let messages = ctx
        .state
        .services
        .outbox(p)
        .await?
        .into_iter()
        .map(|(to, subject, body, at)| (to, subject, body, when(at)))
        .collect();
    Ok(render(&OutboxPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Messages to send", &ctx.path),
        messages,
    })?
    .into_response())
}

/// "3 hours" for a wait shown in whole hours.
fn hours_waited(hours: i64) -> String {
    match hours {
        0 => "less than an hour".to_owned(),
        h => age(h * 3_600_000_000),
    }
}

impl VerificationPage {
    fn at(&self, micros: &i64) -> String {
        when(*micros)
    }
    fn waited(&self, hours: &i64) -> String {
        hours_waited(*hours)
    }
}

impl MePage {
    fn waited(&self, hours: &i64) -> String {
        hours_waited(*hours)
    }
}

impl CoursePage {
    fn at(&self, micros: &i64) -> String {
        when(*micros)
    }
}
