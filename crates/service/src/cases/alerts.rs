//! Alerts on a case: raised by link analysis, dismissed with a reason, listed for the
//! assigned analyst, and shown with their evidence.

use std::collections::BTreeMap;

use crate::audit::{audited, By};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, AlertId, CaseId, Principal, RecordKind, RecordRef};
use store::audit;
use store::cases::{self as queries, AlertRow};
use store::links::NewLink;

use super::{AlertView, ALERT_REASONS, DISMISS_REASON_MAX_CHARS};

pub(super) fn reason_label(reason: &str) -> &'static str {
    match reason {
        "phone" => "Same phone number",
        "email" => "Same email address",
        "handle" => "Same screen name or handle",
        "person" => "Probable person match (name, age, place)",
        _ => "Linked",
    }
}

/// The evidence JSON of a link as lines a person reads.
fn evidence_lines(json: &str) -> Vec<String> {
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
            _ => None,
        }
    }
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        if out.len() >= 20 {
            return;
        }
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let key = k.replace('_', " ");
                    let p = if prefix.is_empty() {
                        key
                    } else {
                        format!("{prefix} {key}")
                    };
                    walk(&p, x, out);
                }
            }
            serde_json::Value::Array(a) => {
                if a.iter().all(|x| scalar(x).is_some()) {
                    let joined: Vec<String> = a.iter().filter_map(scalar).collect();
                    if !joined.is_empty() {
                        out.push(format!("{prefix}: {}", joined.join(", ")));
                    }
                } else {
                    for x in a {
                        walk(prefix, x, out);
                    }
                }
            }
            serde_json::Value::Null => {}
            other => {
                if let Some(s) = scalar(other) {
                    if prefix.is_empty() {
                        out.push(s);
                    } else {
                        out.push(format!("{prefix}: {s}"));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(v) => walk("", &v, &mut out),
        Err(_) if !json.trim().is_empty() => out.push(json.chars().take(300).collect()),
        Err(_) => {}
    }
    out
}

impl Services {
    /// Open alerts on the cases assigned to `who`: (case id, child's name, how many).
    pub async fn my_case_alerts(&self, who: &Principal) -> Result<Vec<(i64, String, i64)>> {
        self.allow(who, Action::ManageCaseAlerts)?;
        Ok(queries::alerts_for(self.store.reader(), who.user_id).await?)
    }

    pub(super) async fn alert_view(&self, row: AlertRow) -> Result<AlertView> {
        let kind = row.source_kind;
        let source_label = match kind {
            RecordKind::Report => format!("report #{}", row.source_id),
            RecordKind::Ad => match queries::ad_title(self.store.reader(), row.source_id).await? {
                Some((site, title)) => format!("online ad #{} ({site}: {title})", row.source_id),
                None => format!("online ad #{}", row.source_id),
            },
            RecordKind::Case => format!("case #{}", row.source_id),
        };
        let mut evidence = vec![format!("{}: {}", reason_label(&row.reason), row.value)];
        evidence.extend(evidence_lines(&row.evidence_json));
        Ok(AlertView {
            id: row.id,
            case_id: row.case_id,
            source: RecordRef::new(kind, row.source_id),
            reason_label: reason_label(&row.reason),
            reason: row.reason,
            value: row.value,
            created_at: row.created_at,
            dismissed_by: row.dismissed_by,
            dismissed_at: row.dismissed_at,
            dismiss_reason: row.dismiss_reason,
            source_label,
            evidence,
        })
    }

    /// Raises alerts for the links touching a case that link analysis stores: a shared
    /// phone, email or handle, or a probable person match. Call it in the transaction that
    /// stores the links; links of other reasons, and to cases that do not exist, are
    /// skipped, and an alert already raised for the same source and reason (dismissed or
    /// not) is not raised again. Each new alert is audited. Returns how many were new.
    pub async fn raise_case_alerts(
        &self,
        tx: &mut store::Tx,
        links: &[NewLink],
        now: i64,
    ) -> Result<u64> {
        let by = By::system("link analysis", now);
        let mut entries = Vec::new();
        let mut known: BTreeMap<i64, bool> = BTreeMap::new();
        for l in links {
            if !ALERT_REASONS.contains(&l.reason.as_str()) {
                continue;
            }
            for (case, other) in [(&l.x, &l.y), (&l.y, &l.x)] {
                if case.kind != RecordKind::Case || case == other {
                    continue;
                }
                let exists = match known.get(&case.id) {
                    Some(e) => *e,
                    None => {
                        let e = queries::exists(&mut **tx, case.id).await?;
                        known.insert(case.id, e);
                        e
                    }
                };
                if !exists {
                    continue;
                }
                let new = queries::insert_alert(
                    &mut **tx,
                    &queries::NewAlert {
                        case_id: case.id,
                        source_kind: other.kind,
                        source_id: other.id,
                        reason: &l.reason,
                        value: &l.value,
                        evidence_json: &l.evidence_json,
                        weight_milli: l.weight_milli,
                    },
                    now,
                )
                .await?;
                if let Some(alert) = new {
                    entries.push(by.entry(
                        "case.alert",
                        RecordRef::case(case.id),
                        Some(format!(
                            "alert {alert}: {} link to {} {}",
                            l.reason, other.kind, other.id
                        )),
                    ));
                }
            }
        }
        let n = entries.len() as u64;
        audit::append_many(tx, entries, now).await?;
        Ok(n)
    }

    /// Dismisses an alert with the reason (audited).
    pub async fn dismiss_case_alert(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        AlertId(alert_id): AlertId,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ManageCaseAlerts)?;
        self.visible_case(who, id).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::Invalid(
                "say why the alert is dismissed (e.g. “the number is a shelter's hotline”); the reason is kept"
                    .into(),
            ));
        }
        if reason.chars().count() > DISMISS_REASON_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "shorten the reason to {DISMISS_REASON_MAX_CHARS} characters or fewer"
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::dismiss_alert(&mut *tx, id, alert_id, who.user_id, reason, now).await? {
            return Err(ServiceError::NotFound("an open alert with that number"));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.alert.dismiss",
            RecordRef::case(id),
            Some(format!("alert {alert_id}: {reason}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn evidence_reads_as_lines() {
        let lines = evidence_lines(
            r#"{"shared":"+15550100199","records":2,"fields":[{"field":"name","level":"exact"}]}"#,
        );
        assert!(
            lines.contains(&"shared: +15550100199".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"fields field: name".to_string()),
            "{lines:?}"
        );
    }
}
