//! The audit log: every change records itself through [`audited`], in the transaction
//! that makes it; reading and verifying the chain; recording reads of records about
//! people.

use crate::error::Result;
use crate::{Ip, Services};
use domain::audit::AuditEntry;
use domain::audit::{Break, NewAuditEntry, Verifier};
use domain::{OrgId, Principal, RecordRef, UserId};
use store::audit;

/// `"ad…" (9 characters)` for `"adminxxxx"`: enough to see a guessed name repeated,
/// not enough to read a password.
fn mask_unknown_name(name: &str) -> String {
    let n = name.chars().count();
    let head: String = name.chars().take(2).collect();
    format!("unknown name \"{head}…\" ({n} characters)")
}

/// By whom a change was made, from where and when, as the audit log names them: a signed-in person, or
/// the product itself for work nobody asked for in that moment (imports, linking, backfills).
#[derive(Debug, Clone)]
pub(crate) struct By {
    name: String,
    user_id: Option<UserId>,
    ip: Ip,
    at: i64,
}

impl By {
    pub(crate) fn person(who: &Principal, ip: Ip, at: i64) -> By {
        By::account(who.username.as_str(), who.user_id, ip, at)
    }

    /// An account acting before it has a session (signing in, a second factor).
    pub(crate) fn account(username: &str, id: UserId, ip: Ip, at: i64) -> By {
        By {
            name: username.to_owned(),
            user_id: Some(id),
            ip,
            at,
        }
    }

    /// The product acting on its own, under a name people reading the log understand.
    pub(crate) fn system(name: &str, at: i64) -> By {
        By {
            name: name.to_owned(),
            user_id: None,
            ip: None,
            at,
        }
    }

    /// A member of the public through the tip form; where from is not recorded, so that
    /// an anonymous tip stays anonymous.
    pub(crate) fn public(at: i64) -> By {
        By::system("public", at)
    }

    /// A training learner (never a staff account), by their learner number.
    pub(crate) fn learner(id: i64, ip: Ip, at: i64) -> By {
        By {
            name: format!("learner #{id}"),
            user_id: None,
            ip,
            at,
        }
    }

    /// Someone with access to the server, running `clearinghouse admin …`.
    pub(crate) fn operator(ip: Ip, at: i64) -> By {
        By {
            name: "operator (command line)".to_owned(),
            user_id: None,
            ip,
            at,
        }
    }

    /// Someone who is not (yet) a signed-in person: a failed sign-in under a name that is
    /// no account's. The name is masked to its first two characters and its length: a
    /// name that is no account is often a password typed in the wrong box.
    pub(crate) fn unknown(name: &str, ip: Ip, at: i64) -> By {
        By {
            name: mask_unknown_name(name),
            user_id: None,
            ip,
            at,
        }
    }

    /// The entry saying this person did `action` to `subject`; for changes recorded in
    /// bulk (`store::audit::append_many`). One change is recorded with [`audited`].
    pub(crate) fn entry(
        &self,
        action: &str,
        subject: impl Into<Subject>,
        detail: Option<String>,
    ) -> NewAuditEntry {
        let mut e = NewAuditEntry::new(self.name.as_str(), action).ip(self.ip.clone());
        if let Some(id) = self.user_id {
            e = e.by(id.0);
        }
        e = match subject.into() {
            Subject::Nothing => e,
            Subject::Record(r) => e.about(r),
            Subject::User(id) => e.record("user", id),
            Subject::Org(id) => e.record("organisation", id),
            Subject::Other(kind, id) => e.record(&kind, id),
        };
        match detail {
            Some(d) => e.detail(d),
            None => e,
        }
    }

    /// Who, as the log names them.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The account acting, if a person.
    pub(crate) fn user_id(&self) -> Option<UserId> {
        self.user_id
    }

    /// When the change was made: the time entries written in bulk are chained at.
    pub(crate) fn at(&self) -> i64 {
        self.at
    }
}

/// What an audit entry is about.
#[derive(Debug, Clone)]
pub(crate) enum Subject {
    /// The actor's own session (a sign-out).
    Nothing,
    /// A report, a case or an ad.
    Record(RecordRef),
    User(UserId),
    Org(OrgId),
    /// Anything else by its kind's name (a token, a catalogue version, a page of a case).
    Other(String, String),
}

impl From<RecordRef> for Subject {
    fn from(r: RecordRef) -> Subject {
        Subject::Record(r)
    }
}

/// Records that `by` did `action` to `subject`, in the transaction `tx` that makes the
/// change, so the change and its entry commit together or not at all.
pub(crate) async fn audited(
    tx: &mut store::Tx,
    by: &By,
    action: &str,
    subject: impl Into<Subject>,
    detail: Option<String>,
) -> Result<()> {
    audit::append(tx, by.entry(action, subject, detail), by.at).await?;
    Ok(())
}

/// What the audit page is narrowed to, as the administrator asked; empty parts match all.
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    /// A username.
    pub actor: Option<String>,
    /// A record's kind (`report`, `case`, `user`, …) and its number: its entries and
    /// those of its parts (its links, its cluster, its files).
    pub record: Option<(String, String)>,
    /// An action code (`report.note`), or `report.*` for every action under a prefix.
    pub action: Option<String>,
    /// From (inclusive) and until (exclusive), UTC microseconds.
    pub from: Option<i64>,
    pub until: Option<i64>,
}

/// How many ids a list's audit entry names one by one; above this it keeps their count and
/// a digest, which an auditor holding a candidate list can recompute.
pub const LISTED_IDS_MAX: usize = 50;

/// The detail of a list or search entry: the query as asked (its non-empty parameters, in
/// order) and what it returned: `ids` when at most [`LISTED_IDS_MAX`], else `count` and
/// `ids_sha256`, the SHA-256 of the ids in ascending order joined by commas.
pub fn query_detail(query: &[(String, String)], ids: &[i64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let query: Vec<serde_json::Value> = query
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| serde_json::json!([k, v]))
        .collect();
    let detail = if sorted.len() <= LISTED_IDS_MAX {
        serde_json::json!({ "query": query, "ids": sorted })
    } else {
        let joined = sorted
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        serde_json::json!({
            "query": query,
            "count": sorted.len(),
            "ids_sha256": crate::crypto::digest(&joined),
        })
    };
    detail.to_string()
}

/// The outcome of `clearinghouse admin verify-audit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    Intact { entries: u64 },
    Broken(Break),
}

impl Services {
    /// Records that `who` viewed a record, in its own transaction. Views are audited even
    /// though they change nothing: "who saw what" is the question the log must answer.
    pub async fn record_view(
        &self,
        who: &Principal,
        record_type: &str,
        record_id: &str,
        ip: Ip,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, self.now()),
            "view",
            Subject::Other(record_type.to_owned(), record_id.to_owned()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Records that `who` listed or searched `list` (the list's address, `/reports`) with
    /// `query` and was shown the records `ids`, in its own transaction: CJIS wants queries
    /// auditable, and a list of children's names or a search for one is as telling as
    /// opening a record. The query is kept as asked, a name searched included, as record
    /// views keep the identifier looked up: the log is for administrators only.
    pub async fn record_query(
        &self,
        who: &Principal,
        list: &str,
        query: &[(String, String)],
        ids: &[i64],
        ip: Ip,
    ) -> Result<()> {
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, self.now()),
            "list",
            Subject::Other("list".to_owned(), list.to_owned()),
            Some(query_detail(query, ids)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Walks the whole chain in batches and reports the first entry that was altered,
    /// removed or reordered.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let mut v = Verifier::default();
        let mut after = 0;
        'outer: loop {
            let batch = audit::batch_after(self.store.reader(), after, 5000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for e in &batch {
                if !v.push(e) {
                    break 'outer;
                }
            }
        }
        let (seq, hash) = audit::head(self.store.reader()).await?;
        Ok(match v.finish(Some((seq, &hash))) {
            Ok(entries) => AuditCheck::Intact { entries },
            Err(b) => AuditCheck::Broken(b),
        })
    }

    /// The newest entries matching `filter`, older than `before` (a sequence number), for
    /// the administrator's audit page.
    pub async fn search_audit(
        &self,
        who: &Principal,
        filter: &AuditSearch,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        if !domain::policy::permits(Some(who), domain::Action::ViewAuditLog) {
            return Err(crate::ServiceError::Forbidden);
        }
        let f = audit::AuditFilter {
            actor: filter.actor.as_deref().filter(|a| !a.is_empty()),
            record: filter
                .record
                .as_ref()
                .filter(|(k, i)| !k.is_empty() && !i.is_empty())
                .map(|(k, i)| (k.as_str(), i.as_str())),
            action: filter.action.as_deref().filter(|a| !a.is_empty()),
            from: filter.from,
            until: filter.until,
        };
        Ok(audit::search(self.store.reader(), &f, before, limit.clamp(1, 500)).await?)
    }

    /// The newest entries, for the administrator's audit page.
    pub async fn audit_page(
        &self,
        who: &Principal,
        actor: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        if !domain::policy::permits(Some(who), domain::Action::ViewAuditLog) {
            return Err(crate::ServiceError::Forbidden);
        }
        Ok(audit::page(self.store.reader(), actor, before, limit.clamp(1, 500)).await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_short_list_names_its_ids_and_a_long_one_its_count_and_digest() {
        let q = vec![
            ("q".to_owned(), "Jo Example".to_owned()),
            ("status".to_owned(), String::new()),
        ];
        let d: serde_json::Value =
            serde_json::from_str(&super::query_detail(&q, &[3, 1, 2, 3])).unwrap();
        assert_eq!(
            d,
            serde_json::json!({"query": [["q", "Jo Example"]], "ids": [1, 2, 3]})
        );
        let many: Vec<i64> = (1..=51).rev().collect();
        let d: serde_json::Value = serde_json::from_str(&super::query_detail(&[], &many)).unwrap();
        assert_eq!(d["count"], 51);
        let joined = (1..=51)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(d["ids_sha256"], crate::crypto::digest(&joined));
        assert!(d.get("ids").is_none());
    }

    #[test]
    fn an_unknown_name_is_masked_to_two_characters_and_its_length() {
        assert_eq!(
            super::mask_unknown_name("Correct horse 9!"),
            "unknown name \"Co…\" (16 characters)"
        );
        assert_eq!(
            super::mask_unknown_name(""),
            "unknown name \"…\" (0 characters)"
        );
    }
}
