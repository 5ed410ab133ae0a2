//! Bringing imported cases into the workflow (on import, on first view, or by backfill)
//! and reassessing every case after the catalogue changed.

use crate::audit::{audited, By};
use crate::error::{Result, ServiceError};
use crate::Services;
use domain::{CaseId, OrgKind, RecordRef};
use store::audit;
use store::cases::{self as queries};

use super::summary::{insert_episode, read_import, summarize};
use super::StoredEpisode;

impl Services {
    /// Fills the case workflow's columns and episodes of an imported case from its
    /// `case_json`, once (inside the caller's transaction). Whether it did.
    pub async fn fill_imported_in(
        &self,
        tx: &mut store::Tx,
        CaseId(id): CaseId,
        case_json: &str,
    ) -> Result<bool> {
        let (number, file, episodes) = read_import(case_json).map_err(ServiceError::Invalid)?;
        // The agency with custody owns the case, when it has an account here.
        let owner_org = match &file.child.agency {
            Some(a) if !a.name.trim().is_empty() => store::orgs::by_name(&mut **tx, a.name.trim())
                .await?
                .filter(|o| o.kind == OrgKind::ChildWelfare)
                .map(|o| o.id),
            _ => None,
        };
        let stored: Vec<StoredEpisode> = episodes
            .iter()
            .map(|e| StoredEpisode {
                id: 0,
                episode: e.clone(),
                narrative: String::new(),
                created_at: 0,
            })
            .collect();
        let (summary, _) = summarize(
            &self.engine,
            &number,
            &file,
            &stored,
            Some(case_json),
            self.today(),
        )?;
        if !queries::fill_imported(&mut **tx, id, &summary, owner_org).await? {
            return Ok(false);
        }
        let now = self.now();
        for e in &episodes {
            insert_episode(tx, id, &file.child, e, "", None, now).await?;
        }
        Ok(true)
    }

    pub(super) async fn fill_imported_case(&self, id: i64) -> Result<()> {
        let Some(row) = queries::by_id(self.store.reader(), id).await? else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        let filled = self
            .fill_imported_in(&mut tx, CaseId(id), &row.case_json)
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(why) => ServiceError::Invalid(format!(
                    "this imported case cannot be opened: {why}. Correct the record at its source \
                     and import it again."
                )),
                other => other,
            })?;
        if filled {
            let by = By::system("clearinghouse", self.now());
            audited(&mut tx, &by, "case.backfill", RecordRef::case(id), None).await?;
        }
        store::commit(tx).await?;
        Ok(())
    }

    /// Reassesses every case with the catalogue in force and today's ages (after the
    /// catalogue changed, with `clearinghouse triage recompute`), in batches; `progress`
    /// gets the number done after each batch. Returns how many were reassessed.
    pub async fn recompute_case_priorities(&self, mut progress: impl FnMut(u64)) -> Result<u64> {
        let mut after = 0;
        let mut done = 0;
        loop {
            let ids = queries::filled_after(self.store.reader(), after, 200).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let now = self.now();
            let mut tx = self.store.begin().await?;
            for id in &ids {
                let Some(row) = queries::by_id(&mut *tx, *id).await? else {
                    continue;
                };
                let (file, episodes) = self.case_file(&row).await?;
                self.resummarize(&mut tx, &row, &file, &episodes, now)
                    .await?;
                done += 1;
            }
            store::commit(tx).await?;
            progress(done);
        }
        Ok(done)
    }

    /// Brings every case imported before the case workflow existed into it (their child,
    /// episodes and priority); returns how many. Safe to run again.
    pub async fn backfill_imported_cases(&self) -> Result<u64> {
        let mut after = 0;
        let mut done = 0;
        loop {
            let batch = queries::unfilled_after(self.store.reader(), after, 200).await?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let mut tx = self.store.begin().await?;
            let mut filled = Vec::new();
            for (id, json) in &batch {
                match self.fill_imported_in(&mut tx, CaseId(*id), json).await {
                    Ok(true) => {
                        done += 1;
                        filled.push(*id);
                    }
                    Ok(false) => {}
                    Err(ServiceError::Invalid(m)) => {
                        tracing::warn!(case = id, problem = %m, "imported case cannot be read");
                    }
                    Err(e) => return Err(e),
                }
            }
            let by = By::system("clearinghouse", self.now());
            let entries = filled
                .into_iter()
                .map(|id| by.entry("case.backfill", RecordRef::case(id), None))
                .collect();
            audit::append_many(&mut tx, entries, by.at()).await?;
            store::commit(tx).await?;
        }
        Ok(done)
    }
}
