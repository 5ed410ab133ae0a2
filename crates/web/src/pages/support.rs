//! Requests for analytical support (issue 24). `/support` is an investigator's agency's
//! requests, or the analysts' queue (the most urgent first, then the oldest, filtered by
//! status, 50 a page); `/support/new` the investigator's form (GOV.UK error summary);
//! `/support/{id}` one request with its answer and, for the analysts, taking, answering
//! (with a link chart shared to the requester's agency) and closing it. The service
//! decides who sees which request and audits every view and change.

use super::forms::FieldErrors;
use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use domain::policy::permits;
use domain::support::{SupportStatus, Urgency};
use domain::{Action, CaseId, RecordKind, RecordRef};
use serde::Deserialize;
use service::support::{
    request_number, AnswerForm, SupportError, SupportForm, SupportQuery, SupportView,
};
use service::ServiceError;

/// Requests per page.
pub const PER_PAGE: i64 = 50;

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

fn urgencies() -> Vec<Choice> {
    Urgency::ALL
        .into_iter()
        .rev()
        .map(|u| Choice {
            value: u.as_str(),
            label: u.label(),
        })
        .collect()
}

/// A request as a row of the list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub org_name: String,
    pub requester: String,
    pub need: String,
    pub urgency: &'static str,
    pub urgency_class: &'static str,
    pub status: &'static str,
    pub assignee: String,
    pub created: String,
}

fn row(r: &SupportView) -> Row {
    Row {
        id: r.id,
        number: request_number(r.id),
        org_name: r.org_name.clone(),
        requester: r.requester.clone(),
        need: r.need.chars().take(160).collect(),
        urgency: r.urgency.short(),
        urgency_class: match r.urgency {
            Urgency::Immediate => "immediate",
            Urgency::Urgent => "high",
            Urgency::Routine => "normal",
        },
        status: r.status.label(),
        assignee: r.assignee.clone().unwrap_or_default(),
        created: when(r.created_at),
    }
}

#[derive(Template)]
#[template(path = "support.html")]
struct ListPage {
    layout: Layout,
    /// The analysts' queue (else an agency's own requests).
    queue: bool,
    may_request: bool,
    items: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    status: String,
    statuses: Vec<Choice>,
    /// The status filter as a query string part, for the pager.
    filter_query: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: Option<i64>,
    status: Option<String>,
}

/// What a status filter value means: `""` the active ones, `all`, or one status.
fn parse_status(s: &str) -> Result<SupportQuery, AppError> {
    match s {
        "" => Ok(SupportQuery::default()),
        "all" => Ok(SupportQuery {
            status: None,
            include_closed: true,
        }),
        other => other
            .parse::<SupportStatus>()
            .map(|st| SupportQuery {
                status: Some(st),
                include_closed: false,
            })
            .map_err(|_| {
                AppError::from(ServiceError::Invalid(
                    "choose a status from the list".into(),
                ))
            }),
    }
}

/// GET /support
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let status = q.status.unwrap_or_default();
    let query = parse_status(status.trim())?;
    let page = ctx
        .state
        .services
        .support_requests(p, query, q.page.unwrap_or(1), PER_PAGE)
        .await?;
    super::audit_list(&ctx, "/support", page.items.iter().map(|r| r.id)).await?;
    let queue = permits(Some(p), Action::AnswerSupportRequests);
    let mut statuses = vec![Choice {
        value: "",
        label: "Not closed",
    }];
    statuses.extend(SupportStatus::ALL.into_iter().map(|s| Choice {
        value: s.as_str(),
        label: s.label(),
    }));
    statuses.push(Choice {
        value: "all",
        label: "All",
    });
    Ok(render(&ListPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            if queue {
                "Requests for analytical support"
            } else {
                "Analytical support"
            },
            &ctx.path,
        ),
        queue,
        may_request: permits(Some(p), Action::RequestAnalyticalSupport),
        items: page.items.iter().map(row).collect(),
        total: page.total,
        pages: page.pages(),
        page: page.page,
        filter_query: if status.is_empty() {
            String::new()
        } else {
            format!("status={}&", super::enc(&status))
        },
        status,
        statuses,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "support_new.html")]
struct NewPage {
    layout: Layout,
    fe: FieldErrors,
    f: SupportForm,
    urgencies: Vec<Choice>,
}

fn new_page(ctx: &Ctx, f: SupportForm, fe: FieldErrors) -> NewPage {
    NewPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Ask for analytical support",
            &ctx.path,
        ),
        fe,
        f,
        urgencies: urgencies(),
    }
}

/// GET /support/new
pub async fn new_form(ctx: Ctx) -> Result<Response, AppError> {
    let f = SupportForm {
        urgency: Urgency::Routine.as_str().into(),
        ..SupportForm::default()
    };
    Ok(render(&new_page(&ctx, f, FieldErrors::default()))?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SupportIn {
    need: String,
    identifiers: String,
    urgency: String,
}

/// POST /support
pub async fn create(ctx: Ctx, Form(f): Form<SupportIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = SupportForm {
        need: f.need,
        identifiers: f.identifiers,
        urgency: f.urgency,
    };
    match ctx
        .state
        .services
        .request_support(p, &form, ctx.ip.clone())
        .await
    {
        Ok(id) => Ok(flash::redirect(
            &ctx,
            &format!("/support/{id}"),
            format!(
                "Your request {} was sent to the hotline's analysts. Their answer will show here.",
                request_number(id)
            ),
        )),
        Err(SupportError::Form(problems)) => {
            let mut fe = FieldErrors::default();
            for pr in problems {
                fe.push(pr.field, pr.message.clone(), pr.message);
            }
            let mut res = render(&new_page(&ctx, form, fe))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(SupportError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "support_request.html")]
struct DetailPage {
    layout: Layout,
    number: String,
    r: SupportView,
    urgency: &'static str,
    status: &'static str,
    created: String,
    answered: String,
    closed: String,
    /// The analysts' actions.
    answers: bool,
    may_take: bool,
    may_answer: bool,
    may_close: bool,
    mine: bool,
    fe: FieldErrors,
    answer: String,
    chart_record: String,
    chart_title: String,
    chart_hint: String,
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    ctx: &Ctx,
    id: i64,
    fe: FieldErrors,
    answer: String,
    chart_record: String,
    chart_title: String,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .support_request(p, id, ctx.ip.clone())
        .await?;
    let answers = permits(Some(p), Action::AnswerSupportRequests);
    let page = DetailPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Request {}", request_number(id)),
            &ctx.path,
        ),
        number: request_number(id),
        urgency: r.urgency.label(),
        status: r.status.label(),
        created: when(r.created_at),
        answered: r.answered_at.map(when).unwrap_or_default(),
        closed: r.closed_at.map(when).unwrap_or_default(),
        may_take: answers && r.status.may_assign() && r.assignee_id != Some(p.user_id),
        may_answer: answers && r.status.may_answer(),
        may_close: answers && r.status.may_close(),
        mine: r.assignee_id == Some(p.user_id),
        chart_hint: format!(
            "Like “report 12”, “ad 7” or “CH-000003”: its cluster is made available to {} as a \
             link chart. Its investigators see only the chart's records made available to them.",
            r.org_name
        ),
        answers,
        r,
        answer,
        chart_record,
        chart_title,
        fe,
    };
    let failed = !page.fe.is_empty();
    let mut res = render(&page)?.into_response();
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn parse_request_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::not_found())
}

/// GET /support/{id}
pub async fn detail(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_request_id(&id)?;
    detail_page(
        &ctx,
        id,
        FieldErrors::default(),
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

/// POST /support/{id}/assign: the analyst takes the request.
pub async fn assign(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let id = parse_request_id(&id)?;
    ctx.state
        .services
        .take_support_request(p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/support/{id}"),
        format!("You took request {}.", request_number(id)),
    ))
}

/// Reads a record as people write it: `report 12`, `Report #12`, `ad/7`, `case 3` or a
/// case number `CH-000003`.
pub fn parse_record(raw: &str) -> Option<RecordRef> {
    let t = raw.trim().to_ascii_lowercase();
    if let Some(n) = t.strip_prefix("ch-") {
        return n.parse().ok().map(|n| CaseId(n).into());
    }
    let split = t.find(|c: char| c.is_ascii_digit())?;
    let (word, number) = t.split_at(split);
    let word = word.trim_matches(|c: char| c.is_whitespace() || "#/-:".contains(c));
    let kind: RecordKind = word.parse().ok()?;
    Some(RecordRef::new(kind, number.trim().parse().ok()?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerIn {
    answer: String,
    chart_record: String,
    chart_title: String,
}

/// POST /support/{id}/answer: the answer, with a chart shared to the requester's agency
/// when a record is named.
pub async fn answer(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AnswerIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let id = parse_request_id(&id)?;
    let mut fe = FieldErrors::default();
    if f.answer.trim().is_empty() {
        fe.push(
            "answer",
            "Answer: write the answer",
            "Write the answer for the requester",
        );
    }
    let chart_start = match f.chart_record.trim() {
        "" => None,
        raw => match parse_record(raw) {
            Some(r) => Some(r),
            None => {
                fe.push(
                    "chart_record",
                    "Record: name it like “report 12”, “ad 7” or “CH-000003”",
                    "Name it like “report 12”, “ad 7” or “CH-000003”",
                );
                None
            }
        },
    };
    if !fe.is_empty() {
        return detail_page(&ctx, id, fe, f.answer, f.chart_record, f.chart_title).await;
    }
    let form = AnswerForm {
        answer: f.answer.clone(),
        chart_start,
        chart_title: f.chart_title.clone(),
    };
    match ctx
        .state
        .services
        .answer_support_request(p, id, &form, ctx.ip.clone())
        .await
    {
        Ok(chart) => Ok(flash::redirect(
            &ctx,
            &format!("/support/{id}"),
            match chart {
                Some(c) => format!(
                    "Request {} was answered; link chart {c} was made available to the requester's agency.",
                    request_number(id)
                ),
                None => format!("Request {} was answered.", request_number(id)),
            },
        )),
        Err(ServiceError::NotFound("the record")) => {
            let fe = FieldErrors::one(
                "chart_record",
                "No record of that kind and number was found",
            );
            detail_page(&ctx, id, fe, f.answer, f.chart_record, f.chart_title).await
        }
        Err(ServiceError::Invalid(m)) => {
            let field = if chart_start.is_some() && m.contains("chart") {
                "chart_title"
            } else {
                "answer"
            };
            let fe = FieldErrors::one(field, m);
            detail_page(&ctx, id, fe, f.answer, f.chart_record, f.chart_title).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /support/{id}/close
pub async fn close(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let id = parse_request_id(&id)?;
    ctx.state
        .services
        .close_support_request(p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/support/{id}"),
        format!("Request {} was closed.", request_number(id)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_as_people_write_them() {
        assert_eq!(parse_record("report 12"), Some(RecordRef::report(12)));
        assert_eq!(parse_record(" Report #12 "), Some(RecordRef::report(12)));
        assert_eq!(parse_record("ad/7"), Some(RecordRef::ad(7)));
        assert_eq!(parse_record("CH-000003"), Some(RecordRef::case(3)));
        assert_eq!(parse_record("case 3"), Some(RecordRef::case(3)));
        assert_eq!(parse_record("12"), None);
        assert_eq!(parse_record("person 4"), None);
    }
}
