//! Reading cases: the list by filter, one case in detail with its timeline, its
//! episodes, and the suppressed statistics.

use std::collections::BTreeMap;

use crate::accounts::Page;
use crate::error::{Result, ServiceError};
use crate::queue::Share;
use crate::{Ip, Services};
use casework::{Episode, TimelineItem, TimelineKind};
use domain::policy::permits;
use domain::{Action, CaseId, OrgId, Principal, RecordKind, Role, UserId};
use store::cases::{self as queries, Scope};

use super::alerts::reason_label;
use super::summary::{assess_case, case_flags};
use super::{
    day_of, CaseAgency, CaseDetail, CaseItem, CasePermissions, CaseQuery, CaseWork, StoredEpisode,
};

impl Services {
    /// Cases `who` may see, by the filter (its scope is set here from the role): awaiting
    /// review first, then most urgent, then longest waiting.
    pub async fn cases(
        &self,
        who: &Principal,
        query: &CaseQuery,
        page: i64,
        per_page: i64,
    ) -> Result<Page<CaseItem>> {
        self.allow(who, Action::ViewCases)?;
        let f = query.filter(match who.role {
            Role::Supervisor | Role::Analyst => Scope::All,
            Role::Caseworker => Scope::OwnedBy(who.org_id),
            Role::Investigator => Scope::SharedWith(who.org_id),
            _ => return Err(ServiceError::Forbidden),
        });
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = queries::page(self.store.reader(), &f, per_page, (page - 1) * per_page)
            .await?
            .into_iter()
            .map(CaseItem::from)
            .collect();
        let total = queries::count(self.store.reader(), &f).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// An organisation's name (the caseworker's agency, to fill in the form).
    pub async fn org_name(&self, org: OrgId) -> Result<Option<String>> {
        Ok(store::orgs::by_id(self.store.reader(), org)
            .await?
            .map(|o| o.name))
    }

    /// Analysts and supervisors, who can be given cases: (id, username, name).
    pub async fn case_assignees(&self, who: &Principal) -> Result<Vec<(UserId, String, String)>> {
        self.allow(who, Action::ViewCases)?;
        Ok(store::triage::assignable_users(self.store.reader()).await?)
    }

    /// One case with its flags, priority, timeline, alerts and sharing. Audited as a view.
    pub async fn case_detail(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<CaseDetail> {
        let row = self.visible_case(who, id).await?;
        let (file, episodes) = self.case_file(&row).await?;
        let today = self.today();
        let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
        let assessment = assess_case(&self.engine, &file, &episodes, today);
        let flags = case_flags(&file, &eps, &assessment, today);
        let may = CasePermissions {
            report_episode: permits(Some(who), Action::ReportMissingChild),
            update: permits(Some(who), Action::UpdateCases),
            review: permits(Some(who), Action::ReviewCases),
            alerts: permits(Some(who), Action::ManageCaseAlerts),
            publish: permits(Some(who), Action::PublishPoster),
        };
        let alerts = if may.alerts {
            let mut out = Vec::new();
            for a in queries::alerts(self.store.reader(), id).await? {
                out.push(self.alert_view(a).await?);
            }
            Some(out)
        } else {
            None
        };
        let mut extra: Vec<TimelineItem> = alerts
            .iter()
            .flatten()
            .map(|a| TimelineItem {
                on: day_of(a.created_at),
                kind: TimelineKind::Alert(a.id.to_string()),
                text: format!(
                    "Alert: {} with {}",
                    a.reason_label.to_lowercase(),
                    a.source_label
                ),
            })
            .collect();
        if may.alerts {
            extra.extend(self.linked_reports(id).await?);
        }
        let timeline = casework::timeline(&eps, extra);
        let shares = queries::shares(self.store.reader(), id)
            .await?
            .into_iter()
            .map(Share::from)
            .collect();
        let owner_name = match row.owner_org {
            Some(o) => store::orgs::by_id(self.store.reader(), o)
                .await?
                .map(|o| o.name),
            None => None,
        };
        let assignable = store::triage::assignable_users(self.store.reader()).await?;
        let assignee_name = row
            .assignee
            .and_then(|a| assignable.iter().find(|u| u.0 == a))
            .map(|u| u.1.clone());
        let work = if may.review {
            let states: Vec<&str> = eps
                .iter()
                .map(|e| e.last_seen_place.state.as_str())
                .collect();
            let agencies = store::triage::agencies_covering(self.store.reader(), &[])
                .await?
                .into_iter()
                .map(|(id, name, j)| {
                    let covers: Vec<String> = j.split_whitespace().map(str::to_owned).collect();
                    let in_jurisdiction = covers.iter().any(|c| states.contains(&c.as_str()));
                    CaseAgency {
                        id,
                        name,
                        covers,
                        in_jurisdiction,
                    }
                })
                .collect();
            Some(CaseWork {
                assignable,
                agencies,
            })
        } else {
            None
        };
        self.record_view(who, RecordKind::Case.as_str(), &id.to_string(), ip)
            .await?;
        Ok(CaseDetail {
            case: row.into(),
            file,
            episodes,
            flags,
            assessment,
            timeline,
            alerts,
            shares,
            owner_name,
            assignee_name,
            today,
            may,
            work,
        })
    }

    /// A case's episodes, oldest first. Audited as a view.
    pub async fn case_episodes(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<(CaseItem, Vec<StoredEpisode>)> {
        let row = self.visible_case(who, id).await?;
        let (_, episodes) = self.case_file(&row).await?;
        self.record_view(who, "case_episodes", &id.to_string(), ip)
            .await?;
        Ok((row.into(), episodes))
    }

    /// The reports link analysis tied to a case, on the day each was received.
    async fn linked_reports(&self, id: i64) -> Result<Vec<TimelineItem>> {
        let me = domain::RecordRef::case(id);
        let mut by_report: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for l in store::links::links_of(self.store.reader(), &me).await? {
            let other = if l.a == me { &l.b } else { &l.a };
            if other.kind == RecordKind::Report {
                by_report.entry(other.id).or_default().push(format!(
                    "{} {}",
                    reason_label(&l.reason).to_lowercase(),
                    l.value
                ));
            }
        }
        let mut out = Vec::new();
        for (report, why) in by_report {
            let Some(r) = store::reports::by_id(self.store.reader(), report).await? else {
                continue;
            };
            out.push(TimelineItem {
                on: day_of(r.received_at),
                kind: TimelineKind::Report(report.to_string()),
                text: format!(
                    "Report #{report} received, linked to this case: {}",
                    why.join("; ")
                ),
            });
        }
        Ok(out)
    }
}
