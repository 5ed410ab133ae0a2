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

/// What a kind of identifier is called in a sentence.
fn identifier_noun(reason: &str) -> &'static str {
    match reason {
        "phone" => "phone number",
        "email" => "email address",
        "handle" => "screen name or handle",
        _ => "identifier",
    }
}

/// A person-match field as people name it.
fn field_noun(field: &str) -> &str {
    match field {
        "first_name" => "given name",
        "last_name" => "family name",
        "dob" => "date of birth",
        "sex" => "sex",
        "address" => "address",
        "city" => "city",
        "state" => "state",
        "postcode" => "postcode",
        "document" => "document number",
        "phone" => "phone",
        "email" => "email",
        "handle" => "handle",
        other => other,
    }
}

/// `["a", "b", "c"]` → "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A link's evidence as sentences a person can trust or doubt: what matched, never the
/// engine's weights, caps or bits.
fn evidence_words(reason: &str, value: &str, json: &str) -> Vec<String> {
    use serde_json::Value;
    let e: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    if reason != "person" {
        let mut out = vec![format!(
            "Both records carry the {} {value}.",
            identifier_noun(reason)
        )];
        if e.get("window_hours").is_some() {
            out.push("They were seen within hours of each other.".into());
        }
        return out;
    }
    let a = e.get("a").and_then(Value::as_str).unwrap_or_default();
    let b = e.get("b").and_then(Value::as_str).unwrap_or_default();
    let mut first = format!("Probably the same child: \u{201c}{a}\u{201d} and \u{201c}{b}\u{201d}");
    if let Some(p) = e.get("probability").and_then(Value::as_f64) {
        // A match is never certain: a rounded 100% would say it is.
        first.push_str(&format!(
            " (about {:.0}% likely)",
            (p * 100.0).clamp(0.0, 99.0)
        ));
    }
    first.push('.');
    let (mut same, mut near, mut differ, mut other) = (vec![], vec![], vec![], vec![]);
    for f in e
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = field_noun(f.get("field").and_then(Value::as_str).unwrap_or_default());
        let level = f.get("level").and_then(Value::as_str).unwrap_or_default();
        let field = field.to_owned();
        match level {
            "exact" | "same" | "shared" => same.push(field),
            "different" | "none shared" => differ.push(field),
            l if l.starts_with("age consistent") => {
                other.push("an age that fits the date of birth".to_owned())
            }
            l if l.starts_with("age inconsistent") => {
                other.push("an age that does not fit the date of birth".to_owned())
            }
            _ => near.push(field),
        }
    }
    let mut parts = Vec::new();
    if !same.is_empty() {
        parts.push(format!("same {}", and_list(&same)));
    }
    if !near.is_empty() {
        parts.push(format!("nearly the same {}", and_list(&near)));
    }
    parts.extend(other);
    if !differ.is_empty() {
        parts.push(format!("different {}", and_list(&differ)));
    }
    let mut out = vec![first];
    if !parts.is_empty() {
        let mut s = parts.join("; ");
        if let Some(c) = s.get(..1) {
            s = c.to_uppercase() + &s[1..];
        }
        out.push(format!("{s}."));
    }
    out
}

/// Alerts that matched the same thing on one case (one identifier, or one probable
/// person), read and dismissed together.
#[derive(Debug, Clone)]
pub struct AlertGroup {
    /// The link's reason: `phone`, `email`, `handle` or `person`.
    pub reason: String,
    /// The identifier; empty for person matches, which form one group. With `reason`, the
    /// group's key.
    pub value: String,
    /// What matched, in a sentence: "The screen name or handle quiet_queen405 appears in
    /// 12 reports."
    pub headline: String,
    /// Why the records are tied to the child, in plain words.
    pub explanation: Vec<String>,
    /// Its alerts, open ones first, newest first.
    pub alerts: Vec<AlertView>,
    /// How many are not dismissed.
    pub open: usize,
}

/// What a group is keyed by beside its reason: the identifier; for person matches nothing,
/// as each names the child differently and all ask the same question (is it this child?).
fn group_value<'a>(reason: &str, value: &'a str) -> &'a str {
    if reason == "person" {
        ""
    } else {
        value
    }
}

/// "12 reports, 1 online ad and 2 other cases".
fn count_sources(alerts: &[AlertView]) -> String {
    let n = |k: RecordKind| alerts.iter().filter(|a| a.source.kind == k).count();
    let mut parts = Vec::new();
    for (k, one, many) in [
        (RecordKind::Report, "report", "reports"),
        (RecordKind::Ad, "online ad", "online ads"),
        (RecordKind::Case, "other case", "other cases"),
    ] {
        match n(k) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            c => parts.push(format!("{c} {many}")),
        }
    }
    and_list(&parts)
}

/// Groups a case's alerts by what matched: groups with open alerts first, then the most
/// recently raised.
pub fn group_alerts(alerts: &[AlertView]) -> Vec<AlertGroup> {
    let mut groups: Vec<AlertGroup> = Vec::new();
    for a in alerts {
        let value = group_value(&a.reason, &a.value);
        match groups
            .iter_mut()
            .find(|g| g.reason == a.reason && g.value == value)
        {
            Some(g) => g.alerts.push(a.clone()),
            None => groups.push(AlertGroup {
                reason: a.reason.clone(),
                value: value.to_owned(),
                headline: String::new(),
                explanation: Vec::new(),
                alerts: vec![a.clone()],
                open: 0,
            }),
        }
    }
    for g in &mut groups {
        g.alerts.sort_by_key(|a| {
            (
                a.dismissed_at.is_some(),
                std::cmp::Reverse(a.created_at),
                std::cmp::Reverse(a.id),
            )
        });
        g.open = g.alerts.iter().filter(|a| a.dismissed_at.is_none()).count();
        let sources = count_sources(&g.alerts);
        if g.reason == "person" {
            g.headline = if g.alerts.len() == 1 {
                format!("A child named in {sources} is probably this child.")
            } else {
                format!("Children named in {sources} are probably this child.")
            };
            g.explanation = vec![
                "Names, dates of birth, places and contact details were compared; each record below says what agreed and what differed. A person decides whether it is the same child.".into(),
            ];
        } else {
            let noun = identifier_noun(&g.reason);
            g.headline = format!("The {noun} {} appears in {sources}.", g.value);
            g.explanation = vec![
                "The child's case file has it too. A number or account shared with family, a shelter or an agency can explain it; if so, dismiss the group and say so.".into(),
            ];
        }
    }
    groups.sort_by_key(|g| {
        (
            g.open == 0,
            std::cmp::Reverse(g.alerts.iter().map(|a| a.created_at).max().unwrap_or(0)),
        )
    });
    groups
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
            RecordKind::Case => format!("case {}", CaseId(row.source_id).number()),
        };
        let evidence = evidence_words(&row.reason, &row.value, &row.evidence_json);
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
        let reason = check_dismiss_reason(reason)?;
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

impl Services {
    /// Dismisses every open alert of a case that matched `link_reason` and `value` (one
    /// group, [`group_alerts`]; every person match for `person`) with one reason, audited
    /// as one entry naming each alert. How many were dismissed.
    pub async fn dismiss_case_alert_group(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        link_reason: &str,
        value: &str,
        reason: &str,
        ip: Ip,
    ) -> Result<usize> {
        self.allow(who, Action::ManageCaseAlerts)?;
        self.visible_case(who, id).await?;
        let reason = check_dismiss_reason(reason)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let value = Some(group_value(link_reason, value)).filter(|v| !v.is_empty());
        let ids =
            queries::dismiss_alerts(&mut *tx, id, link_reason, value, who.user_id, reason, now)
                .await?;
        if ids.is_empty() {
            return Err(ServiceError::NotFound("open alerts for that match"));
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.alert.dismiss",
            RecordRef::case(id),
            Some(format!(
                "alerts {} ({link_reason}{}): {reason}",
                list.join(", "),
                value.map(|v| format!(" {v}")).unwrap_or_default()
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(ids.len())
    }
}

/// The reason for a dismissal, trimmed; refused when empty or too long.
fn check_dismiss_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::Invalid(
            "say why the alert is dismissed (e.g. \u{201c}the number is a shelter's hotline\u{201d}); the reason is kept"
                .into(),
        ));
    }
    if reason.chars().count() > DISMISS_REASON_MAX_CHARS {
        return Err(ServiceError::Invalid(format!(
            "shorten the reason to {DISMISS_REASON_MAX_CHARS} characters or fewer"
        )));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn evidence_reads_as_words_without_weights() {
        let id = evidence_words(
            "handle",
            "quiet_queen405",
            r#"{"kind":"handle","value":"quiet_queen405","records":13,"weight":0.35874040943981944,"cap":50}"#,
        );
        assert_eq!(
            id,
            vec!["Both records carry the screen name or handle quiet_queen405.".to_string()]
        );
        let person = evidence_words(
            "person",
            "Connor Griffith, 14 ~ Janelle, 14",
            r#"{"probability":0.9,"score":3.2,"prior":0.01,"a":"Connor Griffith, 14","b":"Janelle, 14",
               "fields":[{"field":"dob","level":"exact","weight":4.1},{"field":"phone","level":"shared","weight":5.0},
                         {"field":"first_name","level":"different","weight":-3.0},
                         {"field":"city","level":"similar (Jaro-Winkler >= 0.88)","weight":1.0}]}"#,
        );
        assert_eq!(
            person,
            vec![
                "Probably the same child: \u{201c}Connor Griffith, 14\u{201d} and \u{201c}Janelle, 14\u{201d} (about 90% likely).".to_string(),
                "Same date of birth and phone; nearly the same city; different given name.".to_string(),
            ]
        );
        for line in id.iter().chain(&person) {
            assert!(
                !line.contains("weight") && !line.contains("bits") && !line.contains("cap"),
                "{line}"
            );
        }
    }

    fn alert(id: i64, source: RecordRef, reason: &str, value: &str, dismissed: bool) -> AlertView {
        AlertView {
            id,
            case_id: 1,
            source,
            reason: reason.into(),
            value: value.into(),
            created_at: id,
            dismissed_by: dismissed.then(|| "analyst".into()),
            dismissed_at: dismissed.then_some(id),
            dismiss_reason: dismissed.then(|| "a shelter".into()),
            source_label: String::new(),
            reason_label: reason_label(reason),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn alerts_group_by_what_matched() {
        let mut list: Vec<AlertView> = (1..=12)
            .map(|i| {
                alert(
                    i,
                    RecordRef::report(100 + i),
                    "handle",
                    "quiet_queen405",
                    false,
                )
            })
            .collect();
        list.push(alert(
            13,
            RecordRef::ad(7),
            "handle",
            "quiet_queen405",
            false,
        ));
        list.push(alert(14, RecordRef::ad(8), "phone", "+12125550147", true));
        let groups = group_alerts(&list);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0].headline,
            "The screen name or handle quiet_queen405 appears in 12 reports and 1 online ad."
        );
        assert_eq!(groups[0].open, 13);
        assert_eq!(groups[1].open, 0, "the dismissed group comes last");
        assert_eq!(
            groups[1].headline,
            "The phone number +12125550147 appears in 1 online ad."
        );
        let people = [
            alert(
                20,
                RecordRef::report(3),
                "person",
                "Ana, 14 ~ Ana Example, 14",
                false,
            ),
            alert(
                21,
                RecordRef::case(9),
                "person",
                "Ana Example, 14 ~ Annie, 15",
                false,
            ),
        ];
        let groups = group_alerts(&people);
        assert_eq!(groups.len(), 1, "one question: is it this child?");
        assert_eq!(
            groups[0].headline,
            "Children named in 1 report and 1 other case are probably this child."
        );
    }
}
