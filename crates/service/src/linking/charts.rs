//! Link charts shared with law-enforcement agencies (issue 24), as reports and cases are
//! made available. An analyst or supervisor (`MakeAvailable`) shares the cluster walked from
//! a record with one agency; the chart keeps the records it held then. An investigator of
//! that agency opens it and sees only the chart's records that are also made available to
//! their agency, the links among those, and how many records were left out (never which).
//! A chart shared with another agency is "not found" to them: its existence is not
//! theirs to know. Every view and export is audited (`chart`, `chart_export_csv`, …).

use super::views::ClusterView;
use crate::accounts::Page;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{Action, OrgId, OrgKind, Principal, RecordRef};
use store::charts::{self as q, ChartRow, NewChart};

/// The longest title of a shared chart.
pub const TITLE_MAX_CHARS: usize = 200;
/// The longest note to the agency.
pub const NOTE_MAX_CHARS: usize = 5_000;

/// A chart shared with an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartItem {
    pub id: i64,
    /// The record its cluster was walked from.
    pub start: RecordRef,
    pub title: String,
    pub note: String,
    pub org_id: OrgId,
    pub org_name: String,
    /// The username of who shared it.
    pub shared_by: String,
    pub shared_at: i64,
    /// Records it held when shared (the reader may see fewer).
    pub size: i64,
}

impl From<ChartRow> for ChartItem {
    fn from(c: ChartRow) -> Self {
        ChartItem {
            id: c.id,
            start: c.start,
            title: c.title,
            note: c.note,
            org_id: c.org_id,
            org_name: c.org_name,
            shared_by: c.shared_by,
            shared_at: c.shared_at,
            size: c.size,
        }
    }
}

/// A shared chart as one reader sees it.
#[derive(Debug, Clone)]
pub struct SharedChartView {
    pub chart: ChartItem,
    /// The chart's records the reader may see, and the links among them.
    pub view: ClusterView,
    /// How many of the chart's records the reader may not see (or that are gone).
    pub omitted: usize,
}

/// What sharing a chart asks for.
#[derive(Debug, Clone)]
pub struct ShareChart<'a> {
    pub start: RecordRef,
    pub org: OrgId,
    /// Empty: "Link chart of N records" (no record named: the agency may not see it).
    pub title: &'a str,
    pub note: &'a str,
}

impl Services {
    /// Who may read this chart: the hotline's staff, and investigators of its agency.
    fn may_see_chart(who: &Principal, c: &ChartRow) -> bool {
        may_see_record(
            who,
            &RecordSharing {
                owner_org: None,
                made_available_to: vec![c.org_id],
            },
        )
    }

    /// Shares the cluster walked from `s.start` with a law-enforcement agency; returns the
    /// chart's id. Audited (`chart.share`).
    pub async fn share_chart(&self, who: &Principal, s: &ShareChart<'_>, ip: Ip) -> Result<i64> {
        let by = By::person(who, ip, self.now());
        let mut tx = self.store.begin().await?;
        let id = self.share_chart_in(&mut tx, &by, who, s).await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Shares a chart inside the caller's transaction (an answer to a support request
    /// shares its chart with the answer).
    pub(crate) async fn share_chart_in(
        &self,
        tx: &mut store::Tx,
        by: &By,
        who: &Principal,
        s: &ShareChart<'_>,
    ) -> Result<i64> {
        if !permits(Some(who), Action::MakeAvailable) {
            return Err(ServiceError::Forbidden);
        }
        self.check_link_analysis(who)?;
        let title = s.title.trim();
        let note = s.note.trim();
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "the chart's title is longer than {TITLE_MAX_CHARS} characters; shorten it"
            )));
        }
        if note.chars().count() > NOTE_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "the note is longer than {NOTE_MAX_CHARS} characters; shorten it"
            )));
        }
        let org = store::orgs::by_id(self.store.reader(), s.org)
            .await?
            .filter(|o| o.kind == OrgKind::LawEnforcement)
            .ok_or_else(|| {
                ServiceError::Invalid(
                    "choose a law-enforcement agency: charts are shared only with them".into(),
                )
            })?;
        self.visible_head(who, &s.start).await?;
        let cluster = self.cluster_of(who, &s.start).await?;
        let records: Vec<RecordRef> = cluster.nodes.iter().map(|n| n.record).collect();
        // The default names no record: the start may be one the agency does not see.
        let title = if title.is_empty() {
            format!("Link chart of {} records", records.len())
        } else {
            title.to_owned()
        };
        let id = q::insert_chart(
            tx,
            &NewChart {
                start: s.start,
                title: &title,
                note,
                org_id: org.id,
                shared_by: who.user_id,
                records: &records,
            },
            by.at(),
        )
        .await?;
        audited(
            tx,
            by,
            "chart.share",
            Subject::Other("chart".into(), id.to_string()),
            Some(format!(
                "cluster of {} ({} records) to {} (organisation {})",
                s.start,
                records.len(),
                org.name,
                org.id.0
            )),
        )
        .await?;
        Ok(id)
    }

    /// Law-enforcement agencies a chart may be shared with, by name.
    pub async fn chart_agencies(&self, who: &Principal) -> Result<Vec<(OrgId, String)>> {
        if !permits(Some(who), Action::MakeAvailable) {
            return Err(ServiceError::Forbidden);
        }
        Ok(store::triage::agencies_covering(self.store.reader(), &[])
            .await?
            .into_iter()
            .map(|(id, name, _)| (id, name))
            .collect())
    }

    /// The charts shared from the cluster walked from `start`, for its page (those who
    /// share charts only; empty for others).
    pub async fn charts_from(&self, who: &Principal, start: RecordRef) -> Result<Vec<ChartItem>> {
        if !permits(Some(who), Action::MakeAvailable) {
            return Ok(Vec::new());
        }
        Ok(q::charts_from(self.store.reader(), start)
            .await?
            .into_iter()
            .map(ChartItem::from)
            .collect())
    }

    /// Charts made available to the reader's agency (an investigator), or every shared
    /// chart (the hotline's staff), newest first.
    pub async fn shared_charts(
        &self,
        who: &Principal,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ChartItem>> {
        self.check_link_analysis(who)?;
        let org = if Self::sees_everything(who) {
            None
        } else {
            Some(who.org_id)
        };
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = q::charts(self.store.reader(), org, per_page, (page - 1) * per_page)
            .await?
            .into_iter()
            .map(ChartItem::from)
            .collect();
        let total = q::count_charts(self.store.reader(), org).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// One shared chart as the reader may see it; "not found" to anyone outside its agency
    /// and the hotline. Audited (`what`: `view`, `export_csv`, `export_graphml`, `api`).
    pub async fn shared_chart(
        &self,
        who: &Principal,
        id: i64,
        what: &str,
        ip: Ip,
    ) -> Result<SharedChartView> {
        self.check_link_analysis(who)?;
        let row = q::chart(self.store.reader(), id)
            .await?
            .filter(|c| Self::may_see_chart(who, c))
            .ok_or(ServiceError::NotFound("the chart"))?;
        let records = q::chart_records(self.store.reader(), id).await?;
        let visible = self.visible(who, &records).await?;
        let shown: Vec<RecordRef> = records
            .iter()
            .filter(|r| visible.contains(r))
            .copied()
            .collect();
        let rows = self.links_among(&shown).await?;
        let start = if shown.contains(&row.start) {
            row.start
        } else {
            shown.first().copied().unwrap_or(row.start)
        };
        let view = self.view_of(start, &shown, rows, false).await?;
        let omitted = records.len().saturating_sub(view.nodes.len());
        let record_type = if what == "view" {
            "chart".to_owned()
        } else {
            format!("chart_{what}")
        };
        self.record_view(who, &record_type, &id.to_string(), ip)
            .await?;
        Ok(SharedChartView {
            chart: row.into(),
            view,
            omitted,
        })
    }
}
