//! Reading and verifying the audit log, and recording reads of records about people.

use crate::error::Result;
use crate::{Ip, Services};
use domain::audit::AuditEntry;
use domain::audit::{Break, NewAuditEntry, Verifier};
use domain::Principal;
use store::audit;

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
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "view")
                .by(who.user_id.0)
                .record(record_type, record_id)
                .ip(ip),
            self.now(),
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
