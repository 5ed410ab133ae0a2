//! The investigators' hand-off (issue 24): on a lead's page, the agency's response
//! (acknowledge, outcome, notes, questions to the hotline); on the hotline's report page,
//! what each agency did and its questions to answer; and the lead package, one ZIP of
//! what an agency's case file needs. The report page itself is `reports.rs`.

use super::reports::{triage_view, TriageView};
use super::when;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use casework::DocLine;
use domain::{LeadOutcome, RecordKind, ReportId};
use futures_util::StreamExt;
use serde::Deserialize;
use service::linking::views::ClusterView;
use service::queue::leads::{HotlineLeadView, LeadWork, Message, MessageKind, Response as Resp};
use sha2::{Digest, Sha256};
use std::io::Write;

/// The most bytes of received files one package carries; beyond it the files are left
/// out and the package's README says so (each can still be downloaded on its own).
pub const PACKAGE_FILES_MAX: u64 = 512 * 1024 * 1024;

/// A question with the hotline's answers.
pub struct QuestionItem {
    pub id: i64,
    pub agency: String,
    pub author: String,
    pub at: String,
    pub body: String,
    pub answers: Vec<(String, String, String)>,
}

/// A choice of outcome on the lead page's form.
pub struct OutcomeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    pub checked: bool,
}

/// The agency's side of a lead, on its page.
pub struct LeadPanel {
    pub state: &'static str,
    pub state_class: &'static str,
    pub shared: String,
    pub files_included: bool,
    pub acknowledged: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub choices: Vec<OutcomeChoice>,
    pub reason_value: String,
    pub questions: Vec<QuestionItem>,
    pub notes: Vec<(String, String, String)>,
    pub max: usize,
    /// A refused form: (field id, message).
    pub errors: Vec<(String, String)>,
    pub reason_error: Option<String>,
    pub outcome_error: Option<String>,
}

/// What the agencies did with a report, on the hotline's report page.
pub struct HotlinePanel {
    /// (agency, state, acknowledged, outcome with reason)
    pub responses: Vec<(String, &'static str, String, String)>,
    pub questions: Vec<QuestionItem>,
    pub max: usize,
}

fn by_at(who: &str, at: i64) -> String {
    format!("{who} on {} UTC", when(at))
}

fn questions(messages: &[Message]) -> Vec<QuestionItem> {
    messages
        .iter()
        .filter(|m| m.kind == MessageKind::Question)
        .map(|q| QuestionItem {
            id: q.id,
            agency: q.agency.clone(),
            author: format!("{} ({})", q.author_name, q.author),
            at: when(q.created_at),
            body: q.body.clone(),
            answers: messages
                .iter()
                .filter(|a| a.kind == MessageKind::Answer && a.answers == Some(q.id))
                .map(|a| {
                    (
                        format!("{} ({}), the hotline", a.author_name, a.author),
                        when(a.created_at),
                        a.body.clone(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn outcome_text(r: &Resp) -> (Option<String>, Option<String>) {
    match (r.outcome, &r.outcome_by) {
        (Some(o), Some((u, at))) => (
            Some(format!("{}, recorded by {}", o.label(), by_at(u, *at))),
            r.reason.clone(),
        ),
        _ => (None, None),
    }
}

pub fn lead_panel(
    w: &LeadWork,
    errors: Vec<(String, String)>,
    typed: Option<&OutcomeForm>,
) -> LeadPanel {
    let state = w.state();
    let current = w.response.as_ref().and_then(|r| r.outcome);
    let chosen = typed
        .and_then(|f| LeadOutcome::parse(&f.outcome))
        .or(current);
    let (outcome, reason) = w.response.as_ref().map(outcome_text).unwrap_or_default();
    LeadPanel {
        state: state.label(),
        state_class: state.as_str(),
        shared: match &w.shared_by {
            Some((u, at)) => by_at(u, *at),
            None => String::new(),
        },
        files_included: w.files_included,
        acknowledged: w
            .response
            .as_ref()
            .and_then(|r| r.acknowledged.as_ref())
            .map(|(u, at)| by_at(u, *at)),
        outcome,
        reason: reason.clone(),
        choices: LeadOutcome::ALL
            .into_iter()
            .map(|o| OutcomeChoice {
                value: o.as_str(),
                label: o.label(),
                needs_reason: o.needs_reason(),
                checked: chosen == Some(o),
            })
            .collect(),
        reason_value: typed
            .map(|f| f.reason.clone())
            .or(reason)
            .unwrap_or_default(),
        questions: questions(&w.messages),
        notes: w
            .messages
            .iter()
            .filter(|m| m.kind == MessageKind::Note)
            .map(|m| {
                (
                    format!("{} ({})", m.author_name, m.author),
                    when(m.created_at),
                    m.body.clone(),
                )
            })
            .collect(),
        max: service::queue::NOTE_MAX_CHARS,
        reason_error: errors.iter().find(|e| e.0 == "reason").map(|e| e.1.clone()),
        outcome_error: errors
            .iter()
            .find(|e| e.0 == "outcome-0")
            .map(|e| e.1.clone()),
        errors,
    }
}

pub fn hotline_panel(v: &HotlineLeadView) -> HotlinePanel {
    HotlinePanel {
        responses: v
            .responses
            .iter()
            .map(|r| {
                let state = match (&r.acknowledged, r.outcome) {
                    (_, Some(o)) => o.label(),
                    (Some(_), None) => "Acknowledged",
                    (None, None) => "Not yet acknowledged",
                };
                let (outcome, reason) = outcome_text(r);
                let outcome = match (outcome, reason) {
                    (Some(o), Some(r)) => format!("{o}: “{r}”"),
                    (Some(o), None) => o,
                    _ => String::new(),
                };
                (
                    r.agency.clone(),
                    state,
                    r.acknowledged
                        .as_ref()
                        .map(|(u, at)| by_at(u, *at))
                        .unwrap_or_default(),
                    outcome,
                )
            })
            .collect(),
        questions: questions(&v.messages),
        max: service::queue::NOTE_MAX_CHARS,
    }
}

pub async fn acknowledge(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let first = ctx
        .state
        .services
        .acknowledge_lead(p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/leads/{id}"),
        if first {
            format!("You acknowledged lead {id}. The hotline can see that your agency has it.")
        } else {
            format!("Lead {id} was already acknowledged.")
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct OutcomeForm {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn outcome(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let refused = match LeadOutcome::parse(&f.outcome) {
        None => ("outcome-0", "Choose what came of the lead".to_owned()),
        Some(outcome) => match ctx
            .state
            .services
            .record_lead_outcome(p, id, outcome, &f.reason, ctx.ip.clone())
            .await
        {
            Ok(()) => {
                return Ok(flash::redirect(
                    &ctx,
                    &format!("/leads/{id}"),
                    format!(
                        "The outcome of lead {id} was recorded: {}.",
                        outcome.label()
                    ),
                ))
            }
            Err(service::ServiceError::Invalid(m)) => ("reason", sentence(&m)),
            Err(e) => return Err(e.into()),
        },
    };
    let errors = vec![(refused.0.to_owned(), refused.1)];
    super::reports::lead_with_errors(ctx, id, errors, f).await
}

/// A service's message as a sentence: capitalised.
fn sentence(m: &str) -> String {
    let mut c = m.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<MessageForm>,
) -> Result<Response, AppError> {
    message(ctx, id, f, false).await
}

pub async fn ask(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<MessageForm>,
) -> Result<Response, AppError> {
    message(ctx, id, f, true).await
}

async fn message(
    ctx: Ctx,
    id: ReportId,
    f: MessageForm,
    question: bool,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .add_lead_message(p, id, &f.body, question, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!(
            "/leads/{id}#{}",
            if question {
                "questions"
            } else {
                "agency-notes"
            }
        ),
        if question {
            "Your question was sent to the hotline. Its answer will appear on this page."
        } else {
            "Your note was added. Only your agency sees it."
        },
    ))
}

pub async fn answer(
    ctx: Ctx,
    Path((id, question)): Path<(ReportId, i64)>,
    axum::Form(f): axum::Form<MessageForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .answer_lead_question(p, id, question, &f.body, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/reports/{id}#agencies"),
        "Your answer was sent to the agency.",
    ))
}

fn line(text: impl Into<String>, size: f32, bold: bool, space_before: f32) -> DocLine {
    DocLine {
        text: text.into(),
        size,
        bold,
        space_before,
    }
}

/// The lead's summary as text lines for the PDF: priority with reasons, indicators with
/// evidence, linked records made available to the agency, and a timeline.
#[allow(clippy::too_many_arguments)]
fn summary_lines(
    id: ReportId,
    view: &service::intake::ReportView,
    triage: &TriageView,
    chart: &ClusterView,
    work: &LeadWork,
    agency_user: &str,
    prepared: i64,
    files: &[(String, String, bool)],
) -> Vec<DocLine> {
    let mut l = vec![
        line(format!("Lead summary: report #{id}"), 18.0, true, 0.0),
        line(
            format!(
                "{} · received {} UTC · {}",
                view.report.incident_summary.incident_type.label(),
                when(view.item.received_at),
                super::queue::source_label(&view.item.source)
            ),
            10.0,
            false,
            6.0,
        ),
        line(
            format!(
                "Made available to your agency by {}. Prepared for {agency_user} on {} UTC.",
                work.shared_by
                    .as_ref()
                    .map(|(u, at)| by_at(u, *at))
                    .unwrap_or_else(|| "the hotline".into()),
                when(prepared)
            ),
            10.0,
            false,
            2.0,
        ),
        line(
            format!("Priority: {} (score {})", triage.priority, triage.score),
            13.0,
            true,
            14.0,
        ),
    ];
    for r in &triage.reasons {
        // The embedded fonts have no "≥"; words print everywhere.
        l.push(line(
            format!("• {}", r.replace('≥', "at least")),
            10.0,
            false,
            2.0,
        ));
    }
    l.push(line("Indicators found", 13.0, true, 12.0));
    l.push(line(
        "Each indicator is a reason to look closer, not proof; none alone shows that a child was harmed.",
        9.0,
        false,
        2.0,
    ));
    if triage.matches.is_empty() {
        l.push(line(
            "No indicator of the catalogue was found.",
            10.0,
            false,
            4.0,
        ));
    }
    for m in &triage.matches {
        l.push(line(
            format!("• {} ({}, weight {})", m.text, m.category, m.weight),
            10.0,
            true,
            6.0,
        ));
        for e in &m.evidence {
            l.push(line(format!("    {e}"), 9.0, false, 1.0));
        }
    }
    l.push(line(
        format!(
            "Jurisdiction: {}",
            if triage.states.is_empty() {
                "no state found in the report"
            } else {
                &triage.states
            }
        ),
        10.0,
        false,
        10.0,
    ));
    l.push(line("Report text", 13.0, true, 12.0));
    for (label, text) in service::queue::assess::report_texts(&view.report) {
        l.push(line(label, 10.0, true, 6.0));
        l.push(line(text, 10.0, false, 1.0));
    }
    l.push(line(
        "Linked records made available to your agency",
        13.0,
        true,
        12.0,
    ));
    let others: Vec<_> = chart.nodes.iter().skip(1).collect();
    if others.is_empty() {
        l.push(line(
            "None: no other record made available to your agency is linked to this report.",
            10.0,
            false,
            4.0,
        ));
    }
    for n in &others {
        l.push(line(
            format!(
                "• {}{}{}",
                n.title,
                n.date
                    .as_deref()
                    .map(|d| format!(" · {d}"))
                    .unwrap_or_default(),
                if n.states.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", n.states.join(", "))
                }
            ),
            10.0,
            false,
            4.0,
        ));
        for e in chart.edges.iter().filter(|e| {
            let (a, b) = (&chart.nodes[e.a].record, &chart.nodes[e.b].record);
            (*a == n.record || *b == n.record) && (*a == chart.start || *b == chart.start)
        }) {
            for r in &e.reasons {
                l.push(line(
                    format!("    linked to this report: {}", r.summary),
                    9.0,
                    false,
                    1.0,
                ));
            }
        }
    }
    if chart.capped {
        l.push(line(
            "The chart stops at its size limit; the chart files hold what was drawn.",
            9.0,
            false,
            4.0,
        ));
    }
    l.push(line("Timeline (UTC)", 13.0, true, 12.0));
    let mut events: Vec<(String, String)> = chart
        .nodes
        .iter()
        .filter_map(|n| n.date.clone().map(|d| (d, n.title.clone())))
        .collect();
    events.push((
        when(view.item.received_at),
        format!("Report #{id} received by the hotline"),
    ));
    if let Some((u, at)) = &work.shared_by {
        events.push((when(*at), format!("Made available to your agency by {u}")));
    }
    if let Some(r) = &work.response {
        if let Some((u, at)) = &r.acknowledged {
            events.push((when(*at), format!("Acknowledged by {u}")));
        }
        if let (Some(o), Some((u, at))) = (r.outcome, &r.outcome_by) {
            events.push((when(*at), format!("{} (recorded by {u})", o.label())));
        }
    }
    events.sort();
    for (d, what) in events {
        l.push(line(format!("{d}  {what}"), 10.0, false, 2.0));
    }
    l.push(line("Files", 13.0, true, 12.0));
    if files.is_empty() {
        l.push(line(
            "No files were received with this report.",
            10.0,
            false,
            4.0,
        ));
    }
    for (name, sha, included) in files {
        l.push(line(
            format!(
                "• {name} — {} — SHA-256 {sha}",
                if *included {
                    "in this package"
                } else {
                    "not made available to your agency"
                }
            ),
            9.0,
            false,
            2.0,
        ));
    }
    l
}

/// GET /leads/{id}/package.zip: the report as schema-valid CyberTipline XML, its files
/// when the hotline made them available, a PDF summary, and the chart (CSV, GraphML, i2
/// ANX) of the records made available to the agency; a README and SHA-256 sums for the
/// case file. Audited before the first byte leaves.
pub async fn package(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let work = s.lead_work(p, id).await?;
    let view = s.report(p, id, ctx.ip.clone()).await?;
    let chart = s
        .cluster(
            p,
            RecordKind::Report,
            id.0,
            "export_package",
            ctx.ip.clone(),
        )
        .await?;
    let (triage, _) = triage_view(s, &view.item, &view.report, &view.followup_texts());

    let total: u64 = view.files.iter().map(|f| f.size.max(0) as u64).sum();
    let with_files = work.files_included && total <= PACKAGE_FILES_MAX;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if with_files {
        for f in &view.files {
            let (_, mut reader) = s.download_file(p, id, &f.file_id, ctx.ip.clone()).await?;
            let mut bytes = Vec::with_capacity(f.size.max(0) as usize);
            while let Some(chunk) = reader.next().await {
                let chunk = chunk
                    .map_err(|e| AppError::from(service::ServiceError::Internal(Box::new(e))))?;
                bytes.extend_from_slice(&chunk);
            }
            files.push((
                format!(
                    "files/{}-{}",
                    f.file_id,
                    super::reports::safe_file_name(&f.file_name)
                ),
                bytes,
            ));
        }
    }
    let listed: Vec<(String, String, bool)> = view
        .files
        .iter()
        .map(|f| (f.file_name.clone(), f.sha256.clone(), with_files))
        .collect();
    let now = s.now();
    let who = p.username.as_str().to_owned();
    let pdf = casework::flowing_document(
        &format!("Lead summary, report {id}"),
        &format!("Law-enforcement sensitive · Report #{id}"),
        &summary_lines(id, &view, &triage, &chart, &work, &who, now, &listed),
    );
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        (
            format!("report-{id}-cybertipline.xml"),
            cybertip::to_xml(&view.report).into_bytes(),
        ),
        (format!("summary-{id}.pdf"), pdf),
        (
            "chart/links.csv".into(),
            super::links::csv(&chart).into_bytes(),
        ),
        (
            "chart/chart.graphml".into(),
            super::links::graphml(&chart).into_bytes(),
        ),
        (
            "chart/chart.anx".into(),
            super::i2::anx(&chart).into_bytes(),
        ),
    ];
    entries.extend(files);
    let mut sums = String::new();
    for (name, bytes) in &entries {
        sums.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
    }
    let readme = readme(
        id,
        &who,
        now,
        &chart,
        work.files_included,
        with_files,
        view.files.len(),
    );
    entries.push(("README.txt".into(), readme.into_bytes()));
    entries.push(("SHA256SUMS".into(), sums.into_bytes()));

    let contents = format!(
        "package: xml, pdf, chart of {} records and {} links, {} of {} files",
        chart.nodes.len(),
        chart.edges.len(),
        if with_files { view.files.len() } else { 0 },
        view.files.len()
    );
    s.record_lead_package(p, id, &contents, ctx.ip.clone())
        .await?;
    let folder = format!("lead-{id}");
    let zip = tokio::task::spawn_blocking(move || write_zip(&folder, entries))
        .await
        .map_err(|e| AppError::from(service::ServiceError::Internal(Box::new(e))))?
        .map_err(|e| AppError::from(service::ServiceError::Internal(Box::new(e))))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"lead-{id}.zip\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        zip,
    )
        .into_response())
}

fn readme(
    id: ReportId,
    who: &str,
    now: i64,
    chart: &ClusterView,
    files_shared: bool,
    with_files: bool,
    file_count: usize,
) -> String {
    let files = match (file_count, files_shared, with_files) {
        (0, _, _) => "No files were received with this report.".to_owned(),
        (_, false, _) => format!(
            "{file_count} file(s) were received with this report; the hotline did not make them available to your agency. Ask the hotline through your usual legal process."
        ),
        (_, true, false) => format!(
            "{file_count} file(s) were made available to your agency but are too large together for one package ({} MiB at most); download each from the lead's page.",
            PACKAGE_FILES_MAX / 1024 / 1024
        ),
        (_, true, true) => format!("files/ holds the {file_count} file(s) received with the report, as received."),
    };
    format!(
        "Lead package for report #{id}\r\n\
         Prepared for {who} on {} UTC by Clearinghouse. Law-enforcement sensitive.\r\n\r\n\
         report-{id}-cybertipline.xml  The report as CyberTipline XML (valid against the official schema).\r\n\
         summary-{id}.pdf              Priority and its reasons, indicators with evidence, linked records, timeline.\r\n\
         chart/links.csv               The link chart, one row per link reason (records made available to your agency only).\r\n\
         chart/chart.graphml           The same chart as GraphML (Gephi, yEd, Cytoscape).\r\n\
         chart/chart.anx               The same chart for i2 Analyst's Notebook (ANX XML; open or import it).\r\n\
         SHA256SUMS                    SHA-256 of every file above (sha256sum -c SHA256SUMS).\r\n\r\n\
         The chart holds {} record(s) and {} link(s){}. Indicators are reasons to look closer, not proof.\r\n\r\n\
         {files}\r\n",
        when(now),
        chart.nodes.len(),
        chart.edges.len(),
        if chart.capped { "; it stops at its size limit" } else { "" }
    )
}

fn write_zip(folder: &str, entries: Vec<(String, Vec<u8>)>) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        // Received files are often compressed already (images, video): stored as they are.
        let method = if name.starts_with("files/") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(bytes.len() as u64 >= u32::MAX as u64);
        w.start_file(format!("{folder}/{name}"), options)?;
        w.write_all(&bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::reports::safe_file_name;

    #[test]
    fn names_in_the_package_cannot_climb_out_of_it() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name("photo 1.jpg"), "photo_1.jpg");
    }
}
