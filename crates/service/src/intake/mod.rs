//! Report intake: the provider API's lifecycle (submit, finish, retract) and the analysts'
//! view of finished reports.
//!
//! A returned report id means the report is committed: `submit` answers only after the
//! transaction holding the report and its audit entry has committed (and, on SQLite,
//! been synced to disk by `synchronous=FULL`). Concurrent submissions share that
//! transaction: group commit, in `batch.rs`.

pub mod batch;
pub mod import;
pub mod submissions;
pub mod tips;

use crate::audit::{audited, By};
use crate::clock::MICROS_PER_MINUTE;
use crate::error::ServiceError;
use crate::{Ip, Services};
use cybertip::{Limits, Report, ResponseCode};
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{Action, Principal, RecordKind, ReportId, ReportStatus, Role, UserId};
use store::reports::{self, FileRow, ReportRow, ReportState};

/// An unfinished report expires this long after submission…
const OPEN_MAX: i64 = 24 * 60 * MICROS_PER_MINUTE;
/// …or this long after its last change, whichever comes first.
const OPEN_IDLE: i64 = 60 * MICROS_PER_MINUTE;

/// Why an API call did not succeed, with the CyberTipline API's code for it.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("this account may not submit reports; use a provider API account")]
    NotAuthorizedToSubmit,
    #[error("report {0} does not exist")]
    ReportNotFound(i64),
    #[error("report {0} was already retracted")]
    AlreadyRetracted(i64),
    #[error("report {0} was already finished")]
    AlreadyFinished(i64),
    #[error("{0}")]
    Xml(#[from] cybertip::Error),
    #[error("file {0} does not exist in this report")]
    FileNotFound(String),
    /// The upload itself was refused or failed (too large, cut off, not stored).
    #[error("{0}")]
    FileUploadFailed(String),
    /// The multipart body or the file part is not what the API expects.
    #[error("{0}")]
    MalformedFile(String),
    #[error("{0}")]
    InvalidRequest(String),
    /// A commit failed in a way that leaves its outcome unknown.
    #[error("the change may not have been saved: {0}")]
    CommitUnknown(ServiceError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<store::StoreError> for IntakeError {
    fn from(e: store::StoreError) -> Self {
        IntakeError::Service(e.into())
    }
}

impl IntakeError {
    pub fn code(&self) -> ResponseCode {
        match self {
            IntakeError::NotAuthorizedToSubmit => ResponseCode::NotAuthorizedToSubmit,
            IntakeError::ReportNotFound(_) => ResponseCode::ReportDoesNotExist,
            IntakeError::AlreadyRetracted(_) => ResponseCode::ReportAlreadyRetracted,
            IntakeError::AlreadyFinished(_) => ResponseCode::ReportAlreadyFinished,
            IntakeError::Xml(e) => e.code(),
            IntakeError::FileNotFound(_) => ResponseCode::FileDoesNotExist,
            IntakeError::FileUploadFailed(_) => ResponseCode::FileUploadFailed,
            IntakeError::MalformedFile(_) => ResponseCode::MalformedFileSubmittal,
            IntakeError::InvalidRequest(_) => ResponseCode::InvalidRequest,
            IntakeError::CommitUnknown(_) => ResponseCode::ServerError,
            IntakeError::Service(ServiceError::Internal(_)) => ResponseCode::ServerError,
            IntakeError::Service(_) => ResponseCode::InvalidRequest,
        }
    }
}

/// A finished report as lists show it, and its place in the hotline's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportItem {
    pub id: i64,
    /// `provider`, `public`, `hotline-call` or `import`.
    pub source: String,
    /// The CyberTipline incident type as the schema spells it.
    pub incident_type: String,
    pub incident_at: Option<String>,
    pub received_at: i64,
    pub summary: String,
    /// 0 immediate … 3 low; 9 not yet assessed.
    pub priority_rank: i64,
    pub score_milli: i64,
    pub status: ReportStatus,
    pub assignee: Option<UserId>,
    /// The USPS codes of its jurisdiction, as assessed.
    pub states: Vec<String>,
}

impl From<ReportRow> for ReportItem {
    fn from(r: ReportRow) -> Self {
        ReportItem {
            id: r.id,
            source: r.source,
            incident_type: r.incident_type,
            incident_at: r.incident_at,
            received_at: r.received_at,
            summary: r.summary,
            priority_rank: r.priority_rank,
            score_milli: r.score_milli,
            status: r.status,
            assignee: r.assignee,
            states: r.states.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

/// A report and what may be shown of it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub item: ReportItem,
    /// The XML exactly as the provider sent it (none for tips and imports).
    pub original_xml: Option<String>,
    pub report: Report,
    pub files: Vec<FileView>,
    /// For a tip: how its reporter gave the date and time, which the page explains.
    pub when_given: Option<domain::tip::WhenGiven>,
    /// What the tipster added later with the tip's number and secret, in the order it came.
    pub followups: Vec<Followup>,
    /// For a hotline call: who took it ("Display Name (username)").
    pub taken_by: Option<String>,
}

/// Something a tipster added to their tip later (issue 24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    pub body: String,
    pub received_at: i64,
}

impl ReportView {
    /// The follow-ups' texts, as triage and linking read them.
    pub fn followup_texts(&self) -> Vec<String> {
        self.followups.iter().map(|f| f.body.clone()).collect()
    }
}

/// A received file as analysts see it: metadata only, never the content inline.
#[derive(Debug, Clone)]
pub struct FileView {
    pub file_id: String,
    /// The provider's name for it: metadata from the internet, never a path.
    pub file_name: String,
    pub size: i64,
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub uploaded_at: i64,
    pub details: Option<cybertip::FileDetails>,
}

impl From<FileRow> for FileView {
    fn from(f: FileRow) -> Self {
        FileView {
            details: f
                .details_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            file_id: f.file_id,
            file_name: f.file_name,
            size: f.size,
            md5: f.md5,
            sha1: f.sha1,
            sha256: f.sha256,
            uploaded_at: f.uploaded_at,
        }
    }
}

/// What an upload stored, for the API's answer.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub file_id: String,
    pub md5: String,
}

/// Refuses a file name that could be taken for a path, or that carries control
/// characters; the name is only ever metadata, but it is shown and sent on.
pub fn check_file_name(name: &str) -> Result<(), IntakeError> {
    let bad = name.is_empty()
        || name.len() > 255
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':') || c.is_control());
    if bad {
        Err(IntakeError::MalformedFile(format!(
            "Malformed file submittal: the file name {:?} is empty, too long, or holds path or control characters (/ \\ : ..); send the bare file name",
            name.chars().take(80).collect::<String>()
        )))
    } else {
        Ok(())
    }
}

pub(crate) fn summary(r: &Report) -> String {
    let mut s = r.incident_summary.incident_type.label().to_owned();
    if let Some(p) = &r.incident_summary.platform {
        s.push_str(" · ");
        s.push_str(&p.chars().take(80).collect::<String>());
    }
    s
}

impl Services {
    /// Stores a provider's `<report>` document (POST /ispws/submit) as an open report.
    pub async fn submit_provider_report(
        &self,
        who: &Principal,
        body: &[u8],
        ip: Ip,
    ) -> Result<i64, IntakeError> {
        if who.role != Role::ProviderApi {
            return Err(IntakeError::NotAuthorizedToSubmit);
        }
        let report = cybertip::parse_report(body, &Limits::default())?;
        // The parser checked the bytes are UTF-8; keep them verbatim.
        let original = std::str::from_utf8(body)
            .map_err(|_| IntakeError::InvalidRequest("the report is not UTF-8".into()))?;
        let json =
            serde_json::to_string(&report).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let _room = self
            .submit_queue
            .room(3 * json.len() + original.len())
            .await?;
        let (report, assessed) = self.assess_owned(report, json.len()).await?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = crate::intake::batch::Pending {
            submitted_by: who.user_id,
            submitter_org: who.org_id,
            username: who.username.to_string(),
            ip,
            incident_type: report.incident_summary.incident_type.as_xsd_str(),
            incident_at: report
                .incident_summary
                .incident_date_time
                .as_str()
                .to_owned(),
            summary: summary(&report),
            search_text: json.to_lowercase(),
            report_json: json,
            original_xml: original.to_owned(),
            assessed,
            reply,
        };
        let queue = self.submit_queue.sender(&self.store, &self.clock);
        queue
            .send(pending)
            .await
            .map_err(|_| ServiceError::Internal("the report writer has stopped".into()))?;
        let id = answer
            .await
            .map_err(|_| ServiceError::Internal("the report writer has stopped".into()))??;
        metrics::counter!("clearinghouse_intake_total", "source" => "provider").increment(1);
        Ok(id)
    }

    /// The caller's own open, unexpired report; anything else is "does not exist", so a
    /// provider learns nothing about other providers' report ids.
    async fn own_report(&self, who: &Principal, id: i64) -> Result<ReportRow, IntakeError> {
        let row = reports::by_id(self.store.reader(), id).await?;
        let row = row
            .filter(|r| r.submitted_by == Some(who.user_id))
            .ok_or(IntakeError::ReportNotFound(id))?;
        match row.state {
            ReportState::Retracted => Err(IntakeError::AlreadyRetracted(id)),
            ReportState::Finished => Err(IntakeError::AlreadyFinished(id)),
            ReportState::Open => {
                let now = self.now();
                if now - row.received_at > OPEN_MAX || now - row.updated_at > OPEN_IDLE {
                    Err(IntakeError::ReportNotFound(id))
                } else {
                    Ok(row)
                }
            }
        }
    }

    async fn close_report(
        &self,
        who: &Principal,
        id: i64,
        state: ReportState,
        ip: Ip,
    ) -> Result<Vec<String>, IntakeError> {
        if who.role != Role::ProviderApi {
            return Err(IntakeError::NotAuthorizedToSubmit);
        }
        self.own_report(who, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !reports::close(&mut *tx, id, state, now).await? {
            // Closed by a concurrent request: report what it is now.
            drop(tx);
            self.own_report(who, id).await?;
            return Err(IntakeError::ReportNotFound(id));
        }
        let action = if state == ReportState::Finished {
            "report.finish"
        } else {
            "report.retract"
        };
        audited(
            &mut tx,
            &By::person(who, ip, now),
            action,
            domain::RecordRef::report(id),
            None,
        )
        .await?;
        let files = reports::file_ids(&mut *tx, id).await?;
        if state == ReportState::Finished {
            // Linking is durable work, committed with the report it is about.
            self.enqueue_linking(&mut tx, &[domain::RecordRef::report(id)])
                .await?;
        }
        store::commit(tx).await?;
        Ok(files)
    }

    /// POST /ispws/finish: the report becomes visible to analysts. Returns its file ids.
    pub async fn finish_report(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        ip: Ip,
    ) -> Result<Vec<String>, IntakeError> {
        let files = self
            .close_report(who, id, ReportState::Finished, ip)
            .await?;
        self.wake_jobs();
        Ok(files)
    }

    /// POST /ispws/retract: the provider withdraws an unfinished report.
    pub async fn retract_report(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        ip: Ip,
    ) -> Result<(), IntakeError> {
        self.close_report(who, id, ReportState::Retracted, ip)
            .await
            .map(|_| ())
    }

    /// Finished reports for the analysts' list, newest first.
    pub async fn reports_page(
        &self,
        who: &Principal,
        search: &str,
        page: i64,
        per_page: i64,
    ) -> Result<crate::accounts::Page<ReportItem>, ServiceError> {
        if !permits(Some(who), Action::ViewReports) {
            return Err(ServiceError::Forbidden);
        }
        let words: Vec<String> = search.split_whitespace().map(str::to_owned).collect();
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items =
            reports::page_finished(self.store.reader(), &words, per_page, (page - 1) * per_page)
                .await?
                .into_iter()
                .map(ReportItem::from)
                .collect();
        let total = reports::count_finished(self.store.reader(), &words).await?;
        Ok(crate::accounts::Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// One finished report, for someone allowed to see it; the view is audited.
    pub async fn report(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        ip: Ip,
    ) -> Result<ReportView, ServiceError> {
        let mut row = reports::by_id(self.store.reader(), id)
            .await?
            .filter(|r| r.state == ReportState::Finished)
            .ok_or(ServiceError::NotFound("the report"))?;
        let sharing = RecordSharing {
            owner_org: row.submitter_org,
            made_available_to: store::triage::shared_with(self.store.reader(), id).await?,
        };
        if !may_see_record(who, &sharing) {
            // Not "forbidden": whether a report exists is itself not for everyone to know.
            return Err(ServiceError::NotFound("the report"));
        }
        let report: Report = serde_json::from_str(&row.report_json)
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let files = reports::files(self.store.reader(), id)
            .await?
            .into_iter()
            .map(FileView::from)
            .collect();
        let followups = reports::followups_of(self.store.reader(), &[id])
            .await?
            .into_iter()
            .map(|f| Followup {
                body: f.body,
                received_at: f.received_at,
            })
            .collect();
        let taken_by = match (row.source.as_str(), row.submitted_by) {
            ("hotline-call", Some(u)) => store::users::by_id(self.store.reader(), u)
                .await?
                .map(|u| format!("{} ({})", u.display_name, u.username)),
            _ => None,
        };
        self.record_view(who, RecordKind::Report.as_str(), &id.to_string(), ip)
            .await?;
        let original_xml = row.original_xml.take();
        Ok(ReportView {
            original_xml,
            followups,
            taken_by,
            when_given: row.when_given,
            item: ReportItem::from(row),
            report,
            files,
        })
    }

    /// Checks, before any byte is stored, that `who` may add a file to report `id`.
    pub async fn check_upload(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
    ) -> Result<(), IntakeError> {
        if who.role != Role::ProviderApi {
            return Err(IntakeError::NotAuthorizedToSubmit);
        }
        self.own_report(who, id).await.map(|_| ())
    }

    /// POST /ispws/upload: streams the file into the blob store (durable before its row
    /// commits), then records it against the report. Returns the file id and the MD5.
    pub async fn upload_file(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        file_name: &str,
        data: blob::UploadStream<'_>,
        ip: Ip,
    ) -> Result<Uploaded, IntakeError> {
        check_file_name(file_name)?;
        self.check_upload(who, ReportId(id)).await?;
        let limit = self.files.max_bytes;
        let stored = self.files.store.put(data, limit).await.map_err(|e| match e {
            blob::BlobError::TooLarge { .. } => IntakeError::FileUploadFailed(format!(
                "File upload failed: the file is larger than the limit of {limit} bytes"
            )),
            blob::BlobError::Upload(_) => IntakeError::MalformedFile(
                "Malformed file submittal: the upload was cut off or the multipart body is malformed; send it again".into(),
            ),
            other => {
                tracing::error!(error = %other, "storing an uploaded file");
                IntakeError::FileUploadFailed(
                    "File upload failed: the file could not be stored; try again later".into(),
                )
            }
        })?;
        let file_id = crate::crypto::random_token();
        let now = self.now();
        let result: Result<(), IntakeError> = async {
            let mut tx = self.store.begin().await?;
            // The report may have been finished or retracted while the file streamed in.
            if !reports::touch(&mut *tx, id, now).await? {
                drop(tx);
                self.own_report(who, id).await?;
                return Err(IntakeError::ReportNotFound(id));
            }
            reports::insert_file(
                &mut *tx,
                &FileRow {
                    report_id: id,
                    file_id: file_id.clone(),
                    file_name: file_name.to_owned(),
                    size: i64::try_from(stored.size).unwrap_or(i64::MAX),
                    md5: stored.md5_hex.clone(),
                    sha1: stored.sha1_hex.clone(),
                    sha256: stored.sha256_hex.clone(),
                    blob_key: stored.key.clone(),
                    details_json: None,
                    uploaded_at: now,
                },
            )
            .await?;
            audited(
                &mut tx,
                &By::person(who, ip, now),
                "report.file.upload",
                domain::RecordRef::report(id),
                Some(format!("file {file_id}, {} bytes", stored.size)),
            )
            .await?;
            if let Err(e) = store::commit(tx).await {
                // The commit may have reached the database: keep the file (an orphan file
                // is harmless; a row without its file is not).
                return Err(IntakeError::CommitUnknown(e.into()));
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {}
            Err(IntakeError::CommitUnknown(e)) => {
                tracing::error!(error = %e, "committing an uploaded file's row failed");
                return Err(IntakeError::FileUploadFailed(
                    "File upload failed: the file could not be recorded; send it again".into(),
                ));
            }
            Err(e) => {
                // No row names the blob: remove it so nothing unaccounted for stays on disk.
                if let Err(d) = self.files.store.delete(&stored.key).await {
                    tracing::warn!(error = %d, "removing the file of a failed upload");
                }
                return Err(e);
            }
        }
        Ok(Uploaded {
            file_id,
            md5: stored.md5_hex,
        })
    }

    /// POST /ispws/fileinfo: the provider's `<fileDetails>` for a file it uploaded.
    pub async fn file_info(
        &self,
        who: &Principal,
        body: &[u8],
        ip: Ip,
    ) -> Result<(i64, String), IntakeError> {
        if who.role != Role::ProviderApi {
            return Err(IntakeError::NotAuthorizedToSubmit);
        }
        let details = cybertip::parse_file_details(body, &Limits::default())?;
        let id = details.report_id;
        self.own_report(who, id).await?;
        let json =
            serde_json::to_string(&details).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !reports::set_file_details(&mut *tx, id, &details.file_id, &json).await? {
            return Err(IntakeError::FileNotFound(details.file_id));
        }
        if !reports::touch(&mut *tx, id, now).await? {
            drop(tx);
            self.own_report(who, id).await?;
            return Err(IntakeError::ReportNotFound(id));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "report.file.details",
            domain::RecordRef::report(id),
            Some(format!("file {}", details.file_id)),
        )
        .await?;
        store::commit(tx).await?;
        Ok((id, details.file_id))
    }

    /// A received file's content, for someone allowed to see the report; every download is
    /// audited before a byte leaves.
    pub async fn download_file(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        file_id: &str,
        ip: Ip,
    ) -> Result<(FileView, blob::BlobReader), ServiceError> {
        // The hotline's staff download any file; an investigator only the files of a lead
        // the hotline made available to their agency with its files.
        let hotline = permits(Some(who), Action::DownloadReportFiles);
        if !hotline && !permits(Some(who), Action::ViewLeads) {
            return Err(ServiceError::Forbidden);
        }
        if !hotline
            && store::leads::files_included(self.store.reader(), id, who.org_id).await?
                != Some(true)
        {
            return Err(ServiceError::NotFound("the file"));
        }
        let row = reports::by_id(self.store.reader(), id)
            .await?
            .filter(|r| r.state == ReportState::Finished)
            .ok_or(ServiceError::NotFound("the report"))?;
        let sharing = RecordSharing {
            owner_org: row.submitter_org,
            made_available_to: store::triage::shared_with(self.store.reader(), id).await?,
        };
        if !may_see_record(who, &sharing) {
            return Err(ServiceError::NotFound("the report"));
        }
        let file = reports::file(self.store.reader(), id, file_id)
            .await?
            .ok_or(ServiceError::NotFound("the file"))?;
        let reader = self
            .files
            .store
            .open(&file.blob_key)
            .await
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        self.record_view(who, "report_file", &format!("{id}/{file_id}"), ip)
            .await?;
        Ok((FileView::from(file), reader))
    }
}
