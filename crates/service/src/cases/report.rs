//! Reporting a child missing, reporting a new episode and recording a recovery (with the
//! checks of the case form's identifiers and narrative).

use crate::audit::{audited, By};
use crate::error::ServiceError;
use crate::{Ip, Services};
use casework::model::iso;
use casework::{EpisodeForm, FieldError, FormErrors};
use domain::{Action, CaseId, CaseStatus, EpisodeId, Principal, RecordRef, Role};
use store::cases::{self as queries};

use super::summary::{episode_columns, insert_episode, summarize};
use super::{
    form_error, internal, CaseError, CaseFile, CaseForm, ChildIdentifiers, IdentifiersForm,
    RecoveryForm, StoredEpisode, NARRATIVE_MAX_CHARS,
};

/// Splits a list typed one per line or separated by commas or semicolons.
fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl IdentifiersForm {
    /// Checks the identifiers; problems go into `errs`.
    pub fn validate(&self, errs: &mut FormErrors) -> ChildIdentifiers {
        let mut out = ChildIdentifiers::default();
        for p in items(&self.child_phones) {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let allowed = p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
            if !(7..=15).contains(&digits) || !allowed {
                errs.0.push(FieldError {
                    field: "child_phones".into(),
                    message: "enter each phone number with 7 to 15 digits, one per line, e.g. (555) 010-0123".into(),
                });
                break;
            }
            if !out.phones.iter().any(|x| x == p) {
                out.phones.push(p.to_owned());
            }
        }
        for e in items(&self.child_emails) {
            let ok = e.len() <= 200
                && !e.chars().any(char::is_whitespace)
                && e.split_once('@').is_some_and(|(u, d)| {
                    !u.is_empty() && d.contains('.') && !d.contains('@') && !d.ends_with('.')
                });
            if !ok {
                errs.0.push(FieldError {
                    field: "child_emails".into(),
                    message: "enter email addresses like name@example.org, one per line".into(),
                });
                break;
            }
            if !out.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                out.emails.push(e.to_owned());
            }
        }
        for h in items(&self.child_handles) {
            if h.chars().count() > 100 || h.chars().any(|c| c.is_whitespace() || c.is_control()) {
                errs.0.push(FieldError {
                    field: "child_handles".into(),
                    message: "enter each screen name or handle without spaces, one per line (e.g. @example_name)".into(),
                });
                break;
            }
            if !out.handles.iter().any(|x| x == h) {
                out.handles.push(h.to_owned());
            }
        }
        out
    }

    /// The form filled in from stored identifiers.
    pub fn from_identifiers(i: &ChildIdentifiers) -> IdentifiersForm {
        IdentifiersForm {
            child_phones: i.phones.join("\n"),
            child_emails: i.emails.join("\n"),
            child_handles: i.handles.join("\n"),
        }
    }
}

fn narrative(errs: &mut FormErrors, text: &str) -> String {
    let t = text.trim();
    if t.chars().count() > NARRATIVE_MAX_CHARS {
        errs.0.push(FieldError {
            field: "narrative".into(),
            message: format!(
                "shorten the account of the circumstances to {NARRATIVE_MAX_CHARS} characters or fewer"
            ),
        });
    }
    t.to_owned()
}

impl Services {
    /// Reports a child missing: a new case with its first (current) episode. A
    /// caseworker's case belongs to their agency and waits for the hotline's review.
    pub async fn report_missing_child(
        &self,
        who: &Principal,
        form: &CaseForm,
        ip: Ip,
    ) -> std::result::Result<(CaseId, String), CaseError> {
        self.allow(who, Action::ReportMissingChild)?;
        let today = self.today();
        let mut errs = FormErrors::default();
        let child = form
            .child
            .validate(today)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let identifiers = form.identifiers.validate(&mut errs);
        let episode = form
            .episode
            .validate(today)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let narrative = narrative(&mut errs, &form.narrative);
        let (Some(child), Some(episode)) = (child, episode) else {
            return Err(CaseError::Form(errs));
        };
        if !errs.0.is_empty() {
            return Err(CaseError::Form(errs));
        }
        let file = CaseFile { child, identifiers };
        let caseworker = who.role == Role::Caseworker;
        let now = self.now();
        let stored = [StoredEpisode {
            id: 0,
            episode: episode.clone(),
            narrative: narrative.clone(),
            created_at: now,
        }];
        // The number is known once the row exists: summarise again with it.
        let (provisional, _) = summarize(&self.engine, "", &file, &stored, None, today)?;
        let mut tx = self.store.begin().await?;
        let (id, number) = queries::insert(
            &mut tx,
            &queries::NewCase {
                owner_org: caseworker.then_some(who.org_id),
                source: if caseworker { "caseworker" } else { "hotline" },
                reported_by: who.user_id,
                status: if caseworker {
                    CaseStatus::NeedsReview
                } else {
                    CaseStatus::Open
                },
                summary: &provisional,
            },
            now,
        )
        .await?;
        let (summary, _) = summarize(&self.engine, &number, &file, &stored, None, today)?;
        queries::set_summary(&mut *tx, id, &summary, now).await?;
        insert_episode(
            &mut tx,
            id,
            &file.child,
            &episode,
            &narrative,
            Some(who.user_id),
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.report",
            RecordRef::case(id),
            Some(format!(
                "{} ({}), {}",
                number,
                episode.circumstance.id(),
                if caseworker { "for review" } else { "open" }
            )),
        )
        .await?;
        // Linked right after the commit, not by the worker: an alert about this child
        // should not wait. The job makes it durable should the process die first.
        let job = self
            .enqueue_linking_claimed(&mut tx, &[RecordRef::case(id)])
            .await?;
        store::commit(tx).await?;
        if let Some(job) = job {
            self.run_claimed(job).await;
        }
        Ok((CaseId(id), number))
    }

    /// Reports the child missing again (or records a past episode, with its recovery).
    /// While an episode is open, a new open one is refused: record the recovery first.
    pub async fn add_episode(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        form: &EpisodeForm,
        narrative_text: &str,
        ip: Ip,
    ) -> std::result::Result<i64, CaseError> {
        self.allow(who, Action::ReportMissingChild)?;
        let row = self.visible_case(who, id).await?;
        let (file, mut episodes) = self.case_file(&row).await?;
        let today = self.today();
        let mut errs = FormErrors::default();
        let episode = form.validate(today).map_err(|e| errs.0.extend(e.0)).ok();
        let narrative = narrative(&mut errs, narrative_text);
        let Some(episode) = episode.filter(|_| errs.0.is_empty()) else {
            return Err(CaseError::Form(errs));
        };
        if episode.recovered.is_none() {
            if let Some(open) = episodes.iter().find(|e| e.episode.recovered.is_none()) {
                return Err(form_error(
                    "reported_on",
                    format!(
                        "the episode reported on {} has no recovery yet; record the child's recovery \
                         first, then report the new episode",
                        iso(open.episode.reported_on)
                    ),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let eid = insert_episode(
            &mut tx,
            id,
            &file.child,
            &episode,
            &narrative,
            Some(who.user_id),
            now,
        )
        .await?;
        let current = episode.recovered.is_none();
        episodes.push(StoredEpisode {
            id: eid,
            episode: episode.clone(),
            narrative,
            created_at: now,
        });
        self.resummarize(&mut tx, &row, &file, &episodes, now)
            .await?;
        // A new current episode needs the hotline's eyes again.
        let status = row.status;
        let to = match (current, who.role == Role::Caseworker, status) {
            (true, true, s) if s != CaseStatus::NeedsReview => Some(CaseStatus::NeedsReview),
            (true, false, CaseStatus::Closed) => Some(CaseStatus::Open),
            _ => None,
        };
        if let Some(to) = to {
            queries::set_status(&mut *tx, id, status, to, now).await?;
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.episode",
            RecordRef::case(id),
            Some(format!(
                "episode {eid} reported {} ({}){}",
                iso(episode.reported_on),
                episode.circumstance.id(),
                if current { "" } else { ", recovered" }
            )),
        )
        .await?;
        let job = self
            .enqueue_linking_claimed(&mut tx, &[RecordRef::case(id)])
            .await?;
        store::commit(tx).await?;
        if let Some(job) = job {
            self.run_claimed(job).await;
        }
        Ok(eid)
    }

    /// Records how an episode ended and, when `open_plan` and `who` may open recovery
    /// plans, opens the young person's plan in the same transaction (not when the episode
    /// already has one). Returns the plan opened.
    pub async fn record_recovery(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        EpisodeId(episode_id): EpisodeId,
        form: &RecoveryForm,
        open_plan: bool,
        ip: Ip,
    ) -> std::result::Result<Option<i64>, CaseError> {
        self.allow(who, Action::UpdateCases)?;
        let row = self.visible_case(who, id).await?;
        let (file, mut episodes) = self.case_file(&row).await?;
        let Some(i) = episodes.iter().position(|e| e.id == episode_id) else {
            return Err(ServiceError::NotFound("the episode").into());
        };
        let e = &episodes[i].episode;
        if e.recovered.is_some() {
            return Err(ServiceError::Conflict(
                "this episode's recovery is already recorded; reload the page to see it".into(),
            )
            .into());
        }
        let full = EpisodeForm {
            reported_on: iso(e.reported_on),
            last_seen_on: e.last_seen_on.map(iso).unwrap_or_default(),
            last_seen_city: e.last_seen_place.city.clone(),
            last_seen_state: e.last_seen_place.state.clone(),
            circumstance: e.circumstance.id().to_owned(),
            reported_by: e.reported_by.clone(),
            recovered_on: form.recovered_on.clone(),
            recovery_city: form.recovery_city.clone(),
            recovery_state: form.recovery_state.clone(),
            recovery_how: form.recovery_how.clone(),
        };
        let blank = [
            &form.recovered_on,
            &form.recovery_city,
            &form.recovery_state,
            &form.recovery_how,
        ]
        .iter()
        .all(|s| s.trim().is_empty());
        if blank {
            return Err(form_error(
                "recovered_on",
                "enter the date the child was recovered, where, and how",
            ));
        }
        let updated = full.validate(self.today()).map_err(CaseError::Form)?;
        let before = serde_json::to_string(e).map_err(internal)?;
        // The stored text may have been written by an older version: compare with it.
        let stored_json = queries::episodes(self.store.reader(), id)
            .await?
            .into_iter()
            .find(|r| r.id == episode_id)
            .map(|r| r.episode_json)
            .unwrap_or(before);
        let json = serde_json::to_string(&updated).map_err(internal)?;
        let reported_on = iso(updated.reported_on);
        let cols = episode_columns(
            &file.child,
            &updated,
            &json,
            "",
            Some(who.user_id),
            &reported_on,
        );
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::update_episode(&mut *tx, episode_id, &stored_json, &cols, now).await? {
            return Err(ServiceError::Conflict(
                "someone changed this episode a moment ago; reload the page and try again".into(),
            )
            .into());
        }
        episodes[i].episode = updated.clone();
        self.resummarize(&mut tx, &row, &file, &episodes, now)
            .await?;
        let r = updated.recovered.as_ref();
        let by = By::person(who, ip, now);
        audited(
            &mut tx,
            &by,
            "case.recovery",
            RecordRef::case(id),
            Some(format!(
                "episode {episode_id} recovered {}",
                r.map(|r| iso(r.on)).unwrap_or_default()
            )),
        )
        .await?;
        let plan = if open_plan {
            self.open_plan_at_recovery(
                &mut tx,
                &by,
                now,
                who,
                id,
                episode_id,
                &file.child.name,
                file.child.date_of_birth,
            )
            .await?
        } else {
            None
        };
        store::commit(tx).await?;
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identifiers_are_checked_by_field() {
        let mut errs = FormErrors::default();
        let ids = IdentifiersForm {
            child_phones: "(555) 010-0123\n(555) 010-0123".into(),
            child_emails: "someone@example.org".into(),
            child_handles: "@ana_e, ana.e".into(),
        }
        .validate(&mut errs);
        assert!(errs.0.is_empty(), "{errs}");
        assert_eq!(ids.phones.len(), 1);
        assert_eq!(ids.handles, vec!["@ana_e", "ana.e"]);
        let mut errs = FormErrors::default();
        IdentifiersForm {
            child_phones: "12".into(),
            child_emails: "nobody".into(),
            child_handles: String::new(),
        }
        .validate(&mut errs);
        assert!(errs.for_field("child_phones").is_some());
        assert!(errs.for_field("child_emails").is_some());
    }
}
