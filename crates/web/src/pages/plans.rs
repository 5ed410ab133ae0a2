//! Recovery plans and referrals (issue 19): the recovery area (`/recovery`: the caseload
//! with overdue and due reviews first, transitions at 18 coming up), the open/edit form,
//! a plan's page (goals in the young person's words, needs, team, consents, referrals, each
//! with its GOV.UK form), the printable plan, and a referral's page with its status moves.
//! The safety marker is shown wherever a contact detail appears.

use super::forms::FieldErrors;
use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::policy::{permits, PlanAccess};
use domain::{Action, OrgId, UserId};
use recovery::model::format_date;
use recovery::plan::{PlanForm, ReviewState, Transition};
use recovery::{ClosingReason, PlanDomain, ReferralStatus, SafetyMarker};
use serde::Deserialize;
use service::error::ServiceError;
use service::recovery::plans::{PlanLinks, PlanSummary, PlanView};
use service::recovery::referrals::ReferralView;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct PlanRow {
    pub id: i64,
    pub young_person: String,
    pub review: &'static str,
    pub overdue: bool,
    pub next_review: String,
    pub needs: String,
    pub safety: Option<&'static str>,
    pub transition: String,
}

fn transition_text(t: Transition) -> String {
    match t {
        Transition::NotYet => String::new(),
        Transition::Due { birthday } => {
            format!("Transition due: 18 on {}", format_date(birthday))
        }
        Transition::Adult { since } => {
            format!("18 since {}: support continues", format_date(since))
        }
    }
}

fn row(p: &PlanSummary) -> PlanRow {
    PlanRow {
        id: p.id,
        young_person: p.young_person.clone(),
        review: p.review.label(),
        overdue: p.review == ReviewState::Overdue,
        next_review: p.next_review.map(format_date).unwrap_or_default(),
        needs: p
            .needs
            .iter()
            .map(|n| n.label())
            .collect::<Vec<_>>()
            .join(", "),
        safety: p.safety.warns().then(|| p.safety.label()),
        transition: transition_text(p.transition),
    }
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct CaseloadPage {
    layout: Layout,
    can_open: bool,
    can_see_directory: bool,
    supervisor: bool,
    plans: Vec<PlanRow>,
    transitions: Vec<PlanRow>,
    /// Closed plans: (id, young person, closed on, reason).
    closed: Vec<(i64, String, String, &'static str)>,
}

/// The recovery area: the caseload.
pub async fn caseload(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let c = ctx.state.services.recovery_caseload(p).await?;
    super::audit_list(
        &ctx,
        "/recovery",
        c.plans
            .iter()
            .map(|s| s.id)
            .chain(c.closed.iter().map(|s| s.id)),
    )
    .await?;
    render(&CaseloadPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Recovery", &ctx.path),
        can_open: permits(Some(p), Action::ManageRecoveryPlans),
        can_see_directory: permits(Some(p), Action::ViewResources),
        supervisor: p.role == domain::Role::Supervisor,
        plans: c.plans.iter().map(row).collect(),
        transitions: c.transitions_due.iter().map(row).collect(),
        closed: c
            .closed
            .iter()
            .map(|x| {
                (
                    x.id,
                    x.young_person.clone(),
                    when(x.closed_at).chars().take(10).collect(),
                    x.reason.label(),
                )
            })
            .collect(),
    })
}

pub struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub textarea: bool,
    pub value: String,
    pub error: Option<String>,
}

impl TextField {
    pub fn described_by(&self) -> String {
        let mut v = Vec::new();
        if !self.hint.is_empty() {
            v.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            v.push(format!("{}-error", self.name));
        }
        v.join(" ")
    }
}

#[derive(Template)]
#[template(path = "plan_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    back: String,
    errors: Vec<(String, String)>,
    about: Vec<TextField>,
    safety: Vec<Choice>,
    safety_error: Option<String>,
    needs: Vec<Choice>,
    needs_error: Option<String>,
    narrative: Vec<TextField>,
    case_id: Option<i64>,
    episode_id: Option<i64>,
    existing: Option<i64>,
    /// The report number field, on the form that opens a plan.
    report: Option<TextField>,
}

const REPORT_FIELD: &str = "report_id";

const LABELS: &[(&str, &str, &str, bool)] = &[
    (
        "young_person",
        "Young person's name",
        "The name they want to be called; a first name is enough",
        false,
    ),
    (
        "date_of_birth",
        "Date of birth",
        "YYYY-MM-DD. Used for the transition at 18; leave empty if not known",
        false,
    ),
    (
        "next_review",
        "Next review",
        "YYYY-MM-DD, for example 2026-12-01",
        false,
    ),
    (
        "needs_note",
        "What the team knows of these needs",
        "Visible to the plan's team only",
        true,
    ),
    (
        "strengths",
        "Strengths",
        "What they are good at and who supports them. Visible to the plan's team only",
        true,
    ),
    (
        "not_shared",
        "What they asked not to be shared",
        "With anyone, including services and agencies. Visible to the plan's team only",
        true,
    ),
    (
        "transition_notes",
        "Transition to adult support",
        "What happens at 18: support continues after it",
        true,
    ),
];

fn field_value(f: &PlanForm, name: &str) -> String {
    match name {
        "young_person" => f.young_person.clone(),
        "date_of_birth" => f.date_of_birth.clone(),
        "next_review" => f.next_review.clone(),
        "needs_note" => f.needs_note.clone(),
        "strengths" => f.strengths.clone(),
        "not_shared" => f.not_shared.clone(),
        "transition_notes" => f.transition_notes.clone(),
        _ => String::new(),
    }
}

fn text_fields(f: &PlanForm, errs: &FieldErrors, names: &[&str]) -> Vec<TextField> {
    names
        .iter()
        .filter_map(|n| LABELS.iter().find(|l| l.0 == *n))
        .map(|(name, label, hint, textarea)| TextField {
            name,
            label,
            hint,
            textarea: *textarea,
            value: field_value(f, name),
            error: errs.get(name).map(str::to_owned),
        })
        .collect()
}

fn label_of(field: &str) -> &'static str {
    match field {
        "safety" => "Safety marker",
        "needs" => "Needs",
        REPORT_FIELD => "Report number",
        f => LABELS.iter().find(|l| l.0 == f).map_or("", |l| l.1),
    }
}

fn page_errors(errs: &[(&'static str, String)]) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (f, m) in errs {
        out.push(f, format!("{}: {m}", label_of(f)), m.clone());
    }
    out
}

struct FormSetup<'a> {
    heading: &'a str,
    /// The team's narrative fields are shown (not to a supervisor outside the team, who
    /// cannot read them; theirs are kept as they were).
    narrative: bool,
    action: String,
    back: String,
    case_id: Option<i64>,
    episode_id: Option<i64>,
    existing: Option<i64>,
    /// The report number as typed, when the form opens a plan.
    report: Option<String>,
}

fn form_page(
    ctx: &Ctx,
    s: FormSetup<'_>,
    f: &PlanForm,
    errs: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let chosen_safety = SafetyMarker::parse(&f.safety).unwrap_or_default();
    render(&FormPage {
        layout: Layout::new(&ctx.state, &ctx.identity, s.heading, &ctx.path),
        heading: s.heading.to_owned(),
        action: s.action,
        back: s.back,
        errors: errs.summary(),
        about: text_fields(f, errs, &["young_person", "date_of_birth", "next_review"]),
        safety: SafetyMarker::ALL
            .iter()
            .map(|m| Choice {
                value: m.code().into(),
                label: m.label().into(),
                selected: *m == chosen_safety,
            })
            .collect(),
        safety_error: errs.get("safety").map(str::to_owned),
        needs: PlanDomain::ALL
            .iter()
            .map(|d| Choice {
                value: d.code().into(),
                label: d.label().into(),
                selected: f.needs.iter().any(|n| n == d.code()),
            })
            .collect(),
        needs_error: errs.get("needs").map(str::to_owned),
        narrative: if s.narrative {
            text_fields(
                f,
                errs,
                &["needs_note", "strengths", "not_shared", "transition_notes"],
            )
        } else {
            Vec::new()
        },
        case_id: s.case_id,
        episode_id: s.episode_id,
        existing: s.existing,
        report: s.report.map(|value| TextField {
            name: REPORT_FIELD,
            label: "Report number",
            hint: "If a report brought them: its number (Report #123 on the report's page). \
                   It must be a report you may see",
            textarea: false,
            value,
            error: errs.get(REPORT_FIELD).map(str::to_owned),
        }),
    })
}

fn pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get(p: &[(String, String)], name: &str) -> String {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn parse_form(p: &[(String, String)]) -> PlanForm {
    PlanForm {
        young_person: get(p, "young_person"),
        date_of_birth: get(p, "date_of_birth"),
        safety: get(p, "safety"),
        next_review: get(p, "next_review"),
        needs: p
            .iter()
            .filter(|(k, _)| k == "needs")
            .map(|(_, v)| v.clone())
            .collect(),
        needs_note: get(p, "needs_note"),
        strengths: get(p, "strengths"),
        not_shared: get(p, "not_shared"),
        transition_notes: get(p, "transition_notes"),
    }
}

fn id_of(p: &[(String, String)], name: &str) -> Option<i64> {
    get(p, name).trim().parse().ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    case: Option<i64>,
    episode: Option<i64>,
}

/// The form to open a plan; prefilled (and linked) from a case's recovery.
pub async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let pre = ctx
        .state
        .services
        .plan_prefill(p, q.case, q.episode)
        .await?;
    let today = ctx.state.services.today();
    let f = PlanForm {
        young_person: pre.young_person.clone(),
        date_of_birth: pre.date_of_birth.map(format_date).unwrap_or_default(),
        next_review: format_date(today + time::Duration::days(28)),
        ..PlanForm::default()
    };
    form_page(
        &ctx,
        FormSetup {
            heading: "Open a recovery plan",
            narrative: true,
            action: "/recovery/plans".into(),
            back: pre
                .case_id
                .map(|c| format!("/cases/{c}"))
                .unwrap_or_else(|| "/recovery".into()),
            case_id: pre.case_id,
            episode_id: pre.episode_id,
            existing: pre.existing,
            report: Some(String::new()),
        },
        &f,
        &FieldErrors::default(),
    )
}

/// Opens a plan.
pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let pr = pairs(&body);
    let f = parse_form(&pr);
    let report_typed = get(&pr, REPORT_FIELD);
    let number = report_typed.trim().trim_start_matches('#');
    let (report_id, report_error) = match number.parse::<i64>() {
        _ if number.is_empty() => (None, None),
        Ok(n) if n > 0 => (Some(n), None),
        _ => (
            None,
            Some("write the report's number in digits, for example 123, or leave it empty"),
        ),
    };
    let links = PlanLinks {
        case_id: id_of(&pr, "case_id"),
        episode_id: id_of(&pr, "episode_id"),
        report_id,
    };
    let checked = match (f.check(services.today()), report_error) {
        (Ok(fields), None) => Ok(fields),
        (Ok(_), Some(m)) => Err(vec![(REPORT_FIELD, m.to_owned())]),
        (Err(mut errs), m) => {
            errs.extend(m.map(|m| (REPORT_FIELD, m.to_owned())));
            Err(errs)
        }
    };
    let errs = match checked {
        Ok(fields) => match services.open_plan(p, &fields, links, ctx.ip.clone()).await {
            Ok(id) => {
                return Ok(flash::redirect(
                    &ctx,
                    &format!("/recovery/plans/{id}"),
                    "The recovery plan was opened. You are on its team.",
                ))
            }
            // The only rule `open_plan` checks beyond the form: the report's number.
            Err(ServiceError::Invalid(m)) => vec![(REPORT_FIELD, m)],
            Err(e) => return Err(e.into()),
        },
        Err(errs) => errs,
    };
    let mut res = form_page(
        &ctx,
        FormSetup {
            heading: "Open a recovery plan",
            narrative: true,
            action: "/recovery/plans".into(),
            back: "/recovery".into(),
            case_id: links.case_id,
            episode_id: links.episode_id,
            existing: None,
            report: Some(report_typed),
        },
        &f,
        &page_errors(&errs),
    )?
    .into_response();
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

fn form_of(v: &PlanView) -> PlanForm {
    let n = v.narrative.clone().unwrap_or_default();
    PlanForm {
        young_person: v.young_person.clone(),
        date_of_birth: v.date_of_birth.map(format_date).unwrap_or_default(),
        safety: v.safety.code().into(),
        next_review: v.next_review.map(format_date).unwrap_or_default(),
        needs: v.needs.iter().map(|n| n.domain.code().to_owned()).collect(),
        needs_note: v
            .needs
            .iter()
            .find_map(|n| n.note.clone())
            .unwrap_or_default(),
        strengths: n.strengths.unwrap_or_default(),
        not_shared: n.not_shared.unwrap_or_default(),
        transition_notes: n.transition_notes.unwrap_or_default(),
    }
}

fn edit_setup(id: i64, narrative: bool) -> FormSetup<'static> {
    FormSetup {
        heading: "Change the recovery plan",
        narrative,
        action: format!("/recovery/plans/{id}"),
        back: format!("/recovery/plans/{id}"),
        case_id: None,
        episode_id: None,
        existing: None,
        report: None,
    }
}

/// The plan's edit form.
pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .recovery_plan(p, id, ctx.ip.clone())
        .await?;
    if !v.access.changes() {
        return Err(AppError::forbidden());
    }
    form_page(
        &ctx,
        edit_setup(id, v.access.reads_narrative()),
        &form_of(&v),
        &FieldErrors::default(),
    )
}

/// Saves the plan's fields.
pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let f = parse_form(&pairs(&body));
    match f.check(services.today()) {
        Ok(fields) => {
            services.update_plan(p, id, &fields, ctx.ip.clone()).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/recovery/plans/{id}"),
                "The plan was saved.",
            ))
        }
        Err(errs) => {
            // A supervisor outside the team never had the team's fields on the form: shown
            // again, they would come back empty and look as if they had been cleared.
            let access = services.recovery_plan_access(p, id).await?;
            if !access.changes() {
                return Err(AppError::forbidden());
            }
            let setup = edit_setup(id, access.reads_narrative());
            let mut res = form_page(&ctx, setup, &f, &page_errors(&errs))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

pub struct ReferralRow {
    pub id: i64,
    pub service: String,
    pub need: &'static str,
    pub status: &'static str,
    pub outcome: String,
    pub updated: String,
}

fn referral_row(r: &ReferralView) -> ReferralRow {
    ReferralRow {
        id: r.id,
        service: r.service_name.clone(),
        need: r.need.label(),
        status: r.status.label(),
        outcome: r.outcome.clone().unwrap_or_default(),
        updated: when(r.updated_at),
    }
}

/// One form's error on the plan page: which form (its first field's id) and what to do.
#[derive(Default)]
struct PlanErrors {
    field: &'static str,
    message: String,
    /// The consent or member whose form failed, when the form is one of many.
    item: Option<i64>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    print: bool,
    v: PlanView,
    safety: Option<&'static str>,
    dob: String,
    review: &'static str,
    overdue: bool,
    next_review: String,
    transition: String,
    needs: Vec<(&'static str, String)>,
    team_only: bool,
    consented: bool,
    can_change: bool,
    can_refer: bool,
    referrals: Vec<ReferralRow>,
    candidates: Vec<Choice>,
    orgs: Vec<Choice>,
    services: Vec<Choice>,
    domains: Vec<Choice>,
    today: String,
    errors: Vec<(String, String)>,
    error_field: &'static str,
    error_message: String,
    error_item: i64,
    /// More than one on the team: each may be removed.
    can_remove: bool,
    /// The team may close an open plan or reopen a closed one.
    can_close: bool,
    /// The young person may withdraw a consent, even once the plan is closed.
    can_withdraw: bool,
    /// (closed on, reason, by whom) while the plan is closed.
    closed: Option<(String, &'static str, String)>,
    reasons: Vec<Choice>,
}

async fn plan_page(
    ctx: &Ctx,
    id: i64,
    print: bool,
    err: Option<PlanErrors>,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let v = services.recovery_plan(p, id, ctx.ip.clone()).await?;
    // A closed plan keeps what it held when it closed: only reopening it, or a consent
    // withdrawn, changes it.
    let can_close = v.access.changes() && !print;
    let can_change = can_close && v.closed.is_none();
    let team_only = v.access == PlanAccess::Team;
    let can_refer = can_change && permits(Some(p), Action::ReferToServices);
    let candidates = if can_change {
        services
            .plan_team_candidates(p)
            .await?
            .into_iter()
            .filter(|c| !v.team.iter().any(|m| m.user_id == c.user_id))
            .map(|c| Choice {
                value: c.user_id.0.to_string(),
                label: c.label,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let orgs = if can_change && team_only {
        services
            .consent_organisations(p)
            .await?
            .into_iter()
            .map(|(id, name)| Choice {
                value: id.0.to_string(),
                label: name,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let svc = if can_refer {
        services
            .referral_services(p)
            .await?
            .into_iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let domains = PlanDomain::ALL
        .iter()
        .map(|d| Choice {
            value: d.code().into(),
            label: d.label().into(),
            selected: v.needs.first().is_some_and(|n| n.domain == *d),
        })
        .collect();
    let err = err.unwrap_or_default();
    let errors = if err.message.is_empty() {
        Vec::new()
    } else {
        let anchor = match err.item {
            Some(i) => format!("{}-{i}", err.field),
            None => err.field.to_owned(),
        };
        vec![(anchor, err.message.clone())]
    };
    render(&PlanPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Recovery plan: {}", v.young_person),
            &ctx.path,
        ),
        print,
        safety: v.safety.warns().then(|| v.safety.label()),
        dob: v.date_of_birth.map(format_date).unwrap_or_default(),
        review: v.review.label(),
        overdue: v.review == ReviewState::Overdue,
        next_review: v.next_review.map(format_date).unwrap_or_default(),
        transition: transition_text(v.transition),
        needs: v
            .needs
            .iter()
            .map(|n| (n.domain.label(), n.note.clone().unwrap_or_default()))
            .collect(),
        team_only,
        consented: v.access == PlanAccess::Consented,
        can_change,
        can_refer,
        referrals: v.referrals.iter().map(referral_row).collect(),
        candidates,
        orgs,
        services: svc,
        domains,
        today: format_date(services.today()),
        errors,
        error_field: err.field,
        error_message: err.message,
        error_item: err.item.unwrap_or_default(),
        can_remove: can_change && v.team.len() > 1,
        can_close,
        can_withdraw: can_close && team_only,
        closed: v.closed.as_ref().map(|c| {
            (
                when(c.at).chars().take(10).collect(),
                c.reason.label(),
                c.by.clone(),
            )
        }),
        reasons: ClosingReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().into(),
                label: r.label().into(),
                selected: false,
            })
            .collect(),
        v,
    })
}

/// One plan (every view audited).
pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    plan_page(&ctx, id, false, None).await
}

/// The plan for paper: no forms, print styles.
pub async fn print(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    plan_page(&ctx, id, true, None).await
}

/// A form's failure on the plan page: a rule broken is shown there with its field;
/// anything else is the error page's.
async fn again(
    ctx: &Ctx,
    id: i64,
    field: &'static str,
    r: Result<(), ServiceError>,
    done: &str,
    to: Option<String>,
) -> Result<Response, AppError> {
    again_at(ctx, id, field, None, r, done, to).await
}

/// [`again`] for a form that is one of many (a consent's, a member's).
async fn again_at(
    ctx: &Ctx,
    id: i64,
    field: &'static str,
    item: Option<i64>,
    r: Result<(), ServiceError>,
    done: &str,
    to: Option<String>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(flash::redirect(
            ctx,
            &to.unwrap_or_else(|| format!("/recovery/plans/{id}")),
            done,
        )),
        Err(ServiceError::Invalid(m)) => {
            let err = PlanErrors {
                field,
                message: m,
                item,
            };
            let mut res = plan_page(ctx, id, false, Some(err)).await?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GoalForm {
    words: String,
}

/// Adds a goal in the young person's own words.
pub async fn add_goal(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<GoalForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .add_goal(p, id, &f.words, ctx.ip.clone())
        .await;
    again(&ctx, id, "words", r, "The goal was added.", None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    note: String,
    next_review: String,
}

/// Records a review and the next one's date.
pub async fn review(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReviewForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .review_plan(p, id, &f.note, &f.next_review, ctx.ip.clone())
        .await;
    again(&ctx, id, "review-next", r, "The review was recorded.", None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    reason: String,
    note: String,
}

/// Closes the plan, with why.
pub async fn close(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CloseForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .close_plan(p, id, &f.reason, &f.note, ctx.ip.clone())
        .await;
    // A note missing for "another reason" is the note's mistake; the rest, the reason's.
    let field = if matches!(&r, Err(ServiceError::Invalid(m)) if m.contains("note")) {
        "close-note"
    } else {
        "close-reason"
    };
    again(
        &ctx,
        id,
        field,
        r,
        "The plan was closed. Its team can reopen it.",
        None,
    )
    .await
}

/// Reopens a closed plan.
pub async fn reopen(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx.state.services.reopen_plan(p, id, ctx.ip.clone()).await;
    again(&ctx, id, "reopen", r, "The plan was reopened.", None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    user: String,
}

/// Adds someone to the team.
pub async fn add_member(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MemberForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = match f.user.trim().parse::<i64>() {
        Ok(u) => {
            ctx.state
                .services
                .add_team_member(p, id, UserId(u), ctx.ip.clone())
                .await
        }
        Err(_) => Err(ServiceError::Invalid("choose who joins the team".into())),
    };
    again(&ctx, id, "member", r, "They joined the team.", None).await
}

/// Takes someone off the team (not the last one).
pub async fn remove_member(
    ctx: Ctx,
    Path((id, user)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .remove_team_member(p, id, UserId(user), ctx.ip.clone())
        .await;
    // Someone who took themselves off no longer reads the plan: back to their caseload.
    let to = (UserId(user) == p.user_id && p.role != domain::Role::Supervisor)
        .then(|| "/recovery".to_owned());
    again_at(
        &ctx,
        id,
        "remove-member",
        Some(user),
        r,
        "They were taken off the team.",
        to,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WithdrawForm {
    reason: String,
}

/// Records that the young person withdrew a consent.
pub async fn withdraw_consent(
    ctx: Ctx,
    Path((id, consent)): Path<(i64, i64)>,
    axum::Form(f): axum::Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .withdraw_consent(p, id, consent, &f.reason, ctx.ip.clone())
        .await;
    again_at(
        &ctx,
        id,
        "withdraw-reason",
        Some(consent),
        r,
        "The consent was withdrawn. It is kept on the plan, struck through.",
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsentForm {
    with_whom: String,
    org: String,
    what: String,
    given_on: String,
}

/// Records the young person's consent to a share.
pub async fn add_consent(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ConsentForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let org = f.org.trim().parse::<i64>().ok().map(OrgId);
    let r = ctx
        .state
        .services
        .record_consent(
            p,
            id,
            &f.with_whom,
            org,
            &f.what,
            &f.given_on,
            ctx.ip.clone(),
        )
        .await;
    again(
        &ctx,
        id,
        "consent-with",
        r,
        "The consent was recorded.",
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReferForm {
    service: String,
    need: String,
    shared: String,
}

/// Refers the young person to a service of the directory.
pub async fn refer(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReferForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let r = match (f.service.trim().parse::<i64>(), PlanDomain::parse(&f.need)) {
        (Ok(s), Ok(need)) => services
            .create_referral(p, id, s, need, &f.shared, ctx.ip.clone())
            .await
            .map(Some),
        (Err(_), _) => Err(ServiceError::Invalid(
            "choose the service to refer to".into(),
        )),
        (_, Err(e)) => Err(ServiceError::Invalid(e.to_string())),
    };
    let to = r
        .as_ref()
        .ok()
        .copied()
        .flatten()
        .map(|r| format!("/recovery/referrals/{r}"));
    again(
        &ctx,
        id,
        "refer-service",
        r.map(|_| ()),
        "The referral was proposed. Mark it as sent once you have sent it.",
        to,
    )
    .await
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    layout: Layout,
    r: ReferralView,
    young_person: String,
    safety: Option<&'static str>,
    status: &'static str,
    need: &'static str,
    moves: Vec<(String, String, String, String)>,
    errors: Vec<(String, String)>,
    error_message: String,
    reason: String,
    outcome: String,
}

async fn referral_page(
    ctx: &Ctx,
    id: i64,
    err: Option<(String, String, String)>,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let (r, young_person, marker) = ctx.state.services.referral(p, id, ctx.ip.clone()).await?;
    let (error_message, reason, outcome) = err.unwrap_or_default();
    render(&ReferralPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Referral to {}", r.service_name),
            &ctx.path,
        ),
        young_person,
        safety: marker.warns().then(|| marker.label()),
        status: r.status.label(),
        need: r.need.label(),
        moves: r
            .moves
            .iter()
            .map(|m| {
                (
                    when(m.at),
                    m.to.label().to_owned(),
                    m.reason.clone(),
                    m.by.clone(),
                )
            })
            .collect(),
        errors: if error_message.is_empty() {
            Vec::new()
        } else {
            vec![("reason".to_owned(), error_message.clone())]
        },
        error_message,
        reason,
        outcome,
        r,
    })
}

/// One referral with its history and the status form.
pub async fn referral(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    referral_page(&ctx, id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    status: String,
    reason: String,
    outcome: String,
}

/// Moves a referral with a reason (and the outcome at the end).
pub async fn move_referral(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MoveForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = match ReferralStatus::parse(&f.status) {
        Ok(to) => {
            ctx.state
                .services
                .move_referral(p, id, to, &f.reason, &f.outcome, ctx.ip.clone())
                .await
        }
        Err(_) => Err(ServiceError::Invalid(
            "choose what happened to the referral".into(),
        )),
    };
    match r {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &format!("/recovery/referrals/{id}"),
            "The referral's status was recorded.",
        )),
        Err(ServiceError::Invalid(m)) => {
            let mut res = referral_page(&ctx, id, Some((m, f.reason, f.outcome)))
                .await?
                .into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
