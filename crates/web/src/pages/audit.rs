//! The audit log for administrators: who saw or changed what, and when, said in plain
//! words ("Viewed the links of report 12", not `view report_links 12`), each record linked
//! to its page, narrowed by person, record, action and time, newest first, a page at a
//! time.

use super::{enc, links::seg, record_href, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use domain::audit::AuditEntry;
use domain::{RecordKind, RecordRef};
use serde::Deserialize;
use service::audit::{AuditCheck, AuditSearch};

/// Entries on one page.
const PAGE: i64 = 100;

/// The kinds of record the filter offers, as stored and as people call them.
pub const RECORD_KINDS: &[(&str, &str)] = &[
    ("report", "Report"),
    ("case", "Case"),
    ("ad", "Online ad"),
    ("user", "User account"),
    ("organisation", "Organisation"),
    ("api_token", "API token"),
    ("indicator_catalogue", "Indicator catalogue version"),
];

/// The actions the filter offers, grouped, with the words the log uses for them. A group's
/// first entry (`report.*`) selects every action of the group.
pub const ACTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "Signing in",
        &[
            ("login", "Signed in"),
            ("login.failed", "Failed to sign in"),
            ("login.refused", "Sign-in refused: the account is locked"),
            ("account.locked", "Account locked after failed sign-ins"),
            ("account.unlocked", "Account's lock ended"),
            ("logout", "Signed out"),
            ("second_factor.*", "Any second-factor step"),
            ("second_factor.enrolled", "Set up a second factor"),
            ("second_factor.passed", "Passed the second factor"),
            ("second_factor.failed", "Gave a wrong second-factor code"),
        ],
    ),
    (
        "Viewing",
        &[
            ("view", "Viewed or downloaded a record"),
            ("list", "Listed or searched records"),
        ],
    ),
    (
        "Reports",
        &[
            ("report.*", "Any report action"),
            ("report.tip", "Tip received"),
            ("report.call", "Hotline call recorded"),
            ("report.followup", "Tipster added a follow-up"),
            ("report.submit", "Report submitted by a provider"),
            ("report.file.upload", "File uploaded"),
            ("report.file.details", "File described"),
            ("report.finish", "Report finished by its provider"),
            ("report.retract", "Report retracted by its provider"),
            ("report.status", "Status changed"),
            ("report.assign", "Assigned"),
            ("report.note", "Note added"),
            ("report.make_available", "Made available to law enforcement"),
        ],
    ),
    (
        "Leads (law enforcement)",
        &[
            ("lead.*", "Any lead action"),
            ("lead.acknowledge", "Lead acknowledged"),
            ("lead.outcome", "Lead outcome recorded"),
            ("lead.note", "Agency note added"),
            ("lead.question", "Question asked of the hotline"),
            ("lead.answer", "Question answered by the hotline"),
            ("lead.package", "Lead package downloaded"),
        ],
    ),
    (
        "Missing-child cases",
        &[
            ("case.*", "Any case action"),
            ("case.report", "Child reported missing"),
            ("case.episode", "Missing episode recorded"),
            ("case.recovery", "Recovery recorded"),
            ("case.status", "Status changed"),
            ("case.assign", "Assigned"),
            ("case.make_available", "Made available to law enforcement"),
            ("case.alert", "Alert raised"),
            ("case.alert.dismiss", "Alert dismissed"),
            ("case.photo", "Photo added"),
            ("case.publish", "Published"),
            ("case.unpublish", "Publication withdrawn"),
            ("case.backfill", "Imported case brought into the workflow"),
        ],
    ),
    (
        "Accounts and organisations",
        &[
            ("user.*", "Any account change"),
            ("user.create", "Account created"),
            ("user.password_change", "Own password changed"),
            ("user.password_reset", "Password set by an administrator"),
            ("user.role_change", "Role changed"),
            ("user.second_factor_reset", "Second factor removed"),
            ("user.unlock", "Account unlocked"),
            ("org.create", "Organisation added"),
            ("organisation.jurisdiction", "Jurisdiction changed"),
            ("token.create", "API token created"),
            ("token.revoke", "API token revoked"),
        ],
    ),
    (
        "Watchlists",
        &[
            ("watch.*", "Any watch change"),
            ("watch.create", "Watch added"),
            ("watch.renew", "Watch renewed"),
            ("watch.remove", "Watch removed"),
            ("notification.*", "Any notification step"),
            ("notification.create", "Notification raised by a watch"),
            ("notification.read", "Notification marked read"),
            ("notification.email", "Notification e-mailed"),
            (
                "notification.address",
                "Notification e-mail address changed",
            ),
        ],
    ),
    (
        "Retention",
        &[
            ("retention.*", "Any retention step"),
            ("retention.hold", "Legal hold placed"),
            ("retention.release", "Legal hold released"),
            ("retention.purge_request", "Purge asked for"),
            ("retention.purge", "Records purged"),
        ],
    ),
    (
        "Data",
        &[
            ("import", "Import"),
            ("indicators.edit", "Indicator catalogue edited"),
            ("keys.rotate", "Encryption key rotated"),
        ],
    ),
];

/// What a record named in the log is called, and its page when it has one.
fn record_words(kind: &str, id: &str) -> (String, Option<String>) {
    let page = |k: RecordKind| {
        id.parse::<i64>()
            .ok()
            .and_then(|n| record_href(RecordRef::new(k, n)))
    };
    match kind {
        "report" => (format!("report {id}"), page(RecordKind::Report)),
        "case" => (format!("case {id}"), page(RecordKind::Case)),
        "ad" => (
            format!("online ad {id}"),
            Some(format!("/links/record/ad/{}", seg(id))),
        ),
        "user" => (format!("user account {id}"), None),
        "organisation" => (format!("organisation {id}"), None),
        "api_token" => (format!("API token {id}"), None),
        "indicator_catalogue" => (format!("version {id} of the indicator catalogue"), None),
        "chart" => (
            format!("shared link chart {id}"),
            Some(format!("/links/shared/{}", seg(id))),
        ),
        "support_request" => (
            format!("request for analytical support {id}"),
            Some(format!("/support/{}", seg(id))),
        ),
        other => (format!("{} {id}", other.replace('_', " ")), None),
    }
}

/// A view's record type (`report_links`, `case_cluster_export_csv`, `report_file`, …) as
/// what was viewed, and where it is.
fn viewed(record_type: &str, id: &str) -> (String, Option<String>) {
    if record_type == "identifier" {
        let (kind, value) = id.split_once(':').unwrap_or(("identifier", id));
        return (
            format!("Looked up the {kind} {value}"),
            Some(format!("/links/identifier/{}/{}", seg(kind), seg(value))),
        );
    }
    if record_type == "report_file" {
        let (report, file) = id.split_once('/').unwrap_or((id, ""));
        let (r, href) = record_words("report", report);
        return (format!("Downloaded file {file} of {r}"), href);
    }
    if let Some(part) = record_type.strip_prefix("chart_") {
        let (r, href) = record_words("chart", id);
        return match part {
            "export_csv" => (format!("Exported {r} as CSV"), href),
            "export_graphml" => (format!("Exported {r} as GraphML"), href),
            _ => (format!("Viewed {r}"), href),
        };
    }
    for kind in ["report", "case", "ad"] {
        let Some(part) = record_type
            .strip_prefix(kind)
            .and_then(|p| p.strip_prefix('_').or(p.is_empty().then_some("")))
        else {
            continue;
        };
        let (r, own) = record_words(kind, id);
        let links = || Some(format!("/links/record/{kind}/{}", seg(id)));
        let cluster = || Some(format!("/links/cluster/{kind}/{}", seg(id)));
        return match part {
            "" => (format!("Viewed {r}"), own),
            "links" => (format!("Viewed the links of {r}"), links()),
            "episodes" => (format!("Viewed the missing episodes of {r}"), own),
            "poster" => (format!("Viewed the poster of {r}"), own),
            "photo" => (format!("Viewed a photo of {r}"), own),
            "cluster_view" => (format!("Viewed the link chart around {r}"), cluster()),
            "cluster_export_csv" => (
                format!("Exported the link chart around {r} as CSV"),
                cluster(),
            ),
            "cluster_export_graphml" => (
                format!("Exported the link chart around {r} as GraphML"),
                cluster(),
            ),
            other => (
                format!("Viewed the {} of {r}", other.replace('_', " ")),
                own,
            ),
        };
    }
    let (r, href) = record_words(record_type, id);
    (format!("Viewed {r}"), href)
}

/// A list or search (`list` entries: the list's address, the query and what it returned)
/// in words: "Searched /reports for q = Jo Example: 3 records (12, 14, 15)".
fn listed(list: &str, detail: Option<&str>) -> (String, Option<String>) {
    let d: serde_json::Value = detail
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let query: Vec<String> = d["query"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|kv| {
            Some(format!(
                "{} = {}",
                kv.get(0)?.as_str()?,
                kv.get(1)?.as_str()?
            ))
        })
        .collect();
    let shown = match d["ids"].as_array() {
        Some(ids) if ids.is_empty() => "no records".to_owned(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            let plural = if ids.len() == 1 { "" } else { "s" };
            format!("{} record{plural} ({})", ids.len(), list.join(", "))
        }
        None => format!(
            "{} records (SHA-256 of their numbers {})",
            d["count"].as_u64().unwrap_or(0),
            d["ids_sha256"].as_str().unwrap_or("?")
        ),
    };
    let words = if query.is_empty() {
        format!("Listed {list}: {shown}")
    } else {
        format!("Searched {list} for {}: {shown}", query.join(", "))
    };
    let href = (list.starts_with('/') && !list.starts_with("/api/")).then(|| list.to_owned());
    (words, href)
}

/// One entry in plain words, with the page of the record it is about.
pub fn describe(e: &AuditEntry) -> (String, Option<String>) {
    let kind = e.record_type.as_deref().unwrap_or_default();
    let id = e.record_id.as_deref().unwrap_or_default();
    if e.action == "view" {
        return viewed(kind, id);
    }
    if e.action == "list" {
        return listed(id, e.detail.as_deref());
    }
    let (r, href) = if kind.is_empty() {
        (String::new(), None)
    } else {
        record_words(kind, id)
    };
    let words = match e.action.as_str() {
        "login" => "Signed in".to_owned(),
        "login.failed" => "Failed to sign in".to_owned(),
        "login.refused" => "Sign-in refused: the account is locked".to_owned(),
        "account.locked" => "Account locked after failed sign-ins".to_owned(),
        "account.unlocked" => "The account's lock ended".to_owned(),
        "logout" => "Signed out".to_owned(),
        "second_factor.enrolled" => "Set up a second factor".to_owned(),
        "second_factor.passed" => "Passed the second factor".to_owned(),
        "second_factor.failed" => "Gave a wrong second-factor code".to_owned(),
        "report.tip" => format!("Tip received from the public as {r}"),
        "report.call" => format!("Recorded a call to the hotline as {r}"),
        "report.followup" => format!("The tipster added a follow-up to {r}"),
        "report.submit" => format!("A provider submitted {r}"),
        "report.file.upload" => format!("A file was uploaded to {r}"),
        "report.file.details" => format!("A file of {r} was described"),
        "report.finish" => format!("Its provider finished {r}"),
        "report.retract" => format!("Its provider retracted {r}"),
        "report.status" | "case.status" => format!("Changed the status of {r}"),
        "report.assign" | "case.assign" => format!("Assigned {r}"),
        "report.note" => format!("Added a note to {r}"),
        "report.make_available" | "case.make_available" => {
            format!("Made {r} available to law enforcement")
        }
        "lead.acknowledge" => format!("Acknowledged {r} as a lead"),
        "lead.outcome" => format!("Recorded the outcome of {r} as a lead"),
        "lead.note" => format!("Added an agency note to {r}"),
        "lead.question" => format!("Asked the hotline a question on {r}"),
        "lead.answer" => format!("Answered an agency's question on {r}"),
        "lead.package" => format!("Downloaded the lead package of {r}"),
        "case.report" => format!("Reported a child missing ({r})"),
        "case.episode" => format!("Recorded a missing episode on {r}"),
        "case.recovery" => format!("Recorded a recovery on {r}"),
        "case.alert" => format!("An alert was raised on {r}"),
        "case.alert.dismiss" => format!("Dismissed an alert on {r}"),
        "case.photo" => format!("Added a photo to {r}"),
        "case.publish" => format!("Published {r}"),
        "case.unpublish" => format!("Withdrew the publication of {r}"),
        "case.backfill" => format!("Brought imported {r} into the workflow"),
        "user.create" => format!("Created {r}"),
        "user.password_change" => "Changed their own password".to_owned(),
        "user.password_reset" => format!("Set a new password for {r}"),
        "user.role_change" => format!("Changed the role of {r}"),
        "user.second_factor_reset" => format!("Removed the second factor of {r}"),
        "user.unlock" => format!("Unlocked {r}"),
        "org.create" => format!("Added {r}"),
        "organisation.jurisdiction" => format!("Changed the jurisdiction of {r}"),
        "token.create" => format!("Created {r}"),
        "token.revoke" => format!("Revoked {r}"),
        "import" => "Imported records".to_owned(),
        "watch.create" => format!("Added {r} to their watchlist"),
        "watch.renew" => format!("Renewed {r}"),
        "watch.remove" => format!("Removed {r} from their watchlist"),
        "notification.create" => format!("A watch raised {r}"),
        "notification.read" => format!("Marked {r} read"),
        "notification.email" => format!("E-mailed the watcher about {r}"),
        "notification.address" => format!("Changed where {r} is e-mailed notifications"),
        "indicators.edit" => format!("Saved {r}"),
        "chart.share" => format!("Made {r} available to law enforcement"),
        "support.request" => format!("Asked for analytical support ({r})"),
        "support.assign" => format!("Took {r}"),
        "support.answer" => format!("Answered {r}"),
        "support.close" => format!("Closed {r}"),
        "retention.hold" => format!("Placed a legal hold on {r}"),
        "retention.release" => format!("Released the legal hold on {r}"),
        "retention.purge_request" => {
            "Asked for a purge of records past their retention period".to_owned()
        }
        "keys.rotate" => {
            "Re-encrypted secrets and files under the current key (counts in the detail)".to_owned()
        }
        "retention.purge" => {
            "Purged the records past their retention period (counts in the detail)".to_owned()
        }
        other => {
            // An action this version has no words for yet still reads as its code.
            if r.is_empty() {
                other.to_owned()
            } else {
                format!("{other}: {r}")
            }
        }
    };
    (words, href)
}

pub struct Row {
    pub seq: i64,
    pub when: String,
    pub actor: String,
    pub words: String,
    pub href: Option<String>,
    pub ip: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    verification: Option<(bool, String)>,
    q: AuditQuery,
    kinds: &'static [(&'static str, &'static str)],
    actions: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// The filter as a query string, for the pager.
    filter_query: String,
    filtered: bool,
    rows: Vec<Row>,
    older: Option<i64>,
    newer: bool,
    problem: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub action: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    pub to: String,
    pub before: Option<i64>,
    #[serde(default)]
    pub verify: Option<String>,
}

/// Microseconds at the start of a `YYYY-MM-DD` day, UTC.
fn day_start(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &fmt).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1_000_000)
}

pub async fn audit(ctx: Ctx, Query(mut q): Query<AuditQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    q.actor = q.actor.trim().to_ascii_lowercase();
    q.number = q.number.trim().to_owned();
    let verification = if q.verify.is_some() {
        Some(match ctx.state.services.verify_audit().await? {
            AuditCheck::Intact { entries } => (
                true,
                format!("The chain is intact: {entries} entries verified."),
            ),
            AuditCheck::Broken(b) => (false, format!("The chain is broken: {b}.")),
        })
    } else {
        None
    };
    let mut problem = None;
    let mut date = |s: &str, what: &str| -> Option<i64> {
        if s.trim().is_empty() {
            return None;
        }
        let d = day_start(s);
        if d.is_none() {
            problem = Some(format!(
                "The “{what}” date is not a date: give it as YYYY-MM-DD."
            ));
        }
        d
    };
    let from = date(&q.from, "from");
    let until = date(&q.to, "to").map(|d| d + 24 * 3600 * 1_000_000);
    let known_kind = RECORD_KINDS.iter().any(|(k, _)| *k == q.kind);
    let search = AuditSearch {
        actor: Some(q.actor.clone()),
        record: (known_kind && !q.number.is_empty()).then(|| (q.kind.clone(), q.number.clone())),
        action: Some(q.action.clone()),
        from,
        until,
    };
    let entries = ctx
        .state
        .services
        .search_audit(p, &search, q.before, PAGE)
        .await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|r| r.seq))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| {
            let (words, href) = describe(&e);
            Row {
                seq: e.seq,
                when: when(e.at_micros),
                actor: e.actor,
                words,
                href,
                ip: e.ip.unwrap_or_default(),
                detail: e.detail.unwrap_or_default(),
            }
        })
        .collect();
    let filter_query = [
        ("actor", &q.actor),
        ("kind", &q.kind),
        ("number", &q.number),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    render(&AuditPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Audit log", &ctx.path),
        verification,
        filtered: !filter_query.is_empty(),
        filter_query,
        kinds: RECORD_KINDS,
        actions: ACTIONS,
        newer: q.before.is_some(),
        q,
        rows,
        older,
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, kind: &str, id: &str) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at_micros: 0,
            actor_user_id: None,
            actor: "analyst".into(),
            action: action.into(),
            record_type: (!kind.is_empty()).then(|| kind.to_owned()),
            record_id: (!id.is_empty()).then(|| id.to_owned()),
            ip: None,
            detail: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn entries_read_as_plain_words_with_their_pages() {
        let d = |a, k, i| describe(&entry(a, k, i));
        assert_eq!(
            d("view", "report_links", "12"),
            (
                "Viewed the links of report 12".to_owned(),
                Some("/links/record/report/12".to_owned())
            )
        );
        assert_eq!(
            d("view", "report", "12"),
            (
                "Viewed report 12".to_owned(),
                Some("/reports/12".to_owned())
            )
        );
        assert_eq!(
            d("view", "case_cluster_export_csv", "3").0,
            "Exported the link chart around case 3 as CSV"
        );
        assert_eq!(
            d("view", "report_file", "12/f-1"),
            (
                "Downloaded file f-1 of report 12".to_owned(),
                Some("/reports/12".to_owned())
            )
        );
        assert_eq!(
            d("view", "identifier", "phone:+15550100"),
            (
                "Looked up the phone +15550100".to_owned(),
                Some("/links/identifier/phone/%2B15550100".to_owned())
            )
        );
        assert_eq!(
            d("case.alert.dismiss", "case", "7"),
            (
                "Dismissed an alert on case 7".to_owned(),
                Some("/cases/7".to_owned())
            )
        );
        assert_eq!(d("login", "user", "2").0, "Signed in");
        let mut searched = entry("list", "list", "/cases");
        searched.detail = Some(r#"{"query":[["q","Jo Example"]],"ids":[3,7]}"#.into());
        assert_eq!(
            describe(&searched),
            (
                "Searched /cases for q = Jo Example: 2 records (3, 7)".to_owned(),
                Some("/cases".to_owned())
            )
        );
        assert_eq!(
            d("report.note", "report", "5").0,
            "Added a note to report 5"
        );
        assert_eq!(d("something.new", "", "").0, "something.new");
    }

    #[test]
    fn every_offered_action_has_words() {
        for (_, group) in ACTIONS {
            for (code, _) in *group {
                if code.ends_with(".*") || *code == "view" {
                    continue;
                }
                let words = describe(&entry(code, "report", "1")).0;
                assert!(!words.starts_with(code), "{code} has no words");
            }
        }
    }
}
