//! Publication with the recorded consent, the poster, and the child's photos: added,
//! shown (each view audited) and removed.

use crate::audit::{audited, By};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use casework::model::{iso, parse_iso_date};
use casework::{Child, Consent, Episode, PosterData, SanitisedPhoto};
use domain::{Action, CaseId, Principal, RecordRef};
use store::cases::{self as queries};

use super::{form_error, internal, CaseError, PHOTO_MAX_BYTES};

impl Services {
    /// Marks a case for publication with the consent of the guardian or the agency. The
    /// poster must be possible now (the child currently missing, the consent on or after
    /// the current episode's report), or nothing is stored.
    pub async fn publish_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        given_by: &str,
        recorded_on: &str,
        ip: Ip,
    ) -> std::result::Result<(), CaseError> {
        self.allow(who, Action::PublishPoster)?;
        let row = self.visible_case(who, id).await?;
        let (file, episodes) = self.case_file(&row).await?;
        let given_by = given_by.trim();
        if given_by.is_empty() {
            return Err(form_error(
                "consent_given_by",
                "enter who gave consent to publish: the guardian, or the agency and who spoke for it",
            ));
        }
        if given_by.chars().count() > 200 {
            return Err(form_error(
                "consent_given_by",
                "shorten this to 200 characters or fewer",
            ));
        }
        let Some(on) = parse_iso_date(recorded_on.trim()) else {
            return Err(form_error(
                "consent_recorded_on",
                "enter the date consent was given, as YYYY-MM-DD",
            ));
        };
        let consent = Consent {
            given_by: given_by.to_owned(),
            recorded_on: on,
        };
        let eps: Vec<Episode> = episodes.into_iter().map(|e| e.episode).collect();
        PosterData::from_case(
            &domain::CaseId(id).number(),
            &file.child,
            &eps,
            &consent,
            &self.hotline,
            self.today(),
        )
        .map_err(|e| form_error("consent_recorded_on", e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_publication(&mut *tx, id, Some((given_by, &iso(on))), who.user_id, now)
            .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.publish",
            RecordRef::case(id),
            Some(format!("consent recorded on {}", iso(on))),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Withdraws a case from publication.
    pub async fn withdraw_publication(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::PublishPoster)?;
        self.visible_case(who, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_publication(&mut *tx, id, None, who.user_id, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.unpublish",
            RecordRef::case(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The poster of a published case: only the published fields (and the photo). Audited
    /// as a view.
    pub async fn case_poster(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<PosterData> {
        let row = self.visible_case(who, id).await?;
        let (Some(given_by), Some(on)) = (
            row.consent_given_by.clone().filter(|_| row.published),
            row.consent_recorded_on.as_deref().and_then(parse_iso_date),
        ) else {
            return Err(ServiceError::NotFound(
                "a poster for this case (it is not marked for publication)",
            ));
        };
        let (file, episodes) = self.case_file(&row).await?;
        let eps: Vec<Episode> = episodes.into_iter().map(|e| e.episode).collect();
        let mut poster = PosterData::from_case(
            &domain::CaseId(id).number(),
            &file.child,
            &eps,
            &Consent {
                given_by,
                recorded_on: on,
            },
            &self.hotline,
            self.today(),
        )
        .map_err(|e| ServiceError::Invalid(format!("no poster can be made: {e}")))?;
        if let Some(photo) = self.latest_photo(&file.child).await {
            poster = poster.with_photo(photo);
        }
        self.record_view(who, "case_poster", &id.to_string(), ip)
            .await?;
        Ok(poster)
    }

    pub(crate) async fn latest_photo(&self, child: &Child) -> Option<SanitisedPhoto> {
        let p = child
            .photos
            .iter()
            .enumerate()
            .max_by_key(|(i, p)| (p.taken_on, *i))
            .map(|(_, p)| p)?;
        let bytes = match self.files.store.open(&p.id).await {
            Ok(r) => r.read_all().await,
            Err(e) => Err(e),
        };
        match bytes.map(|b| SanitisedPhoto::sanitise(&b)) {
            Ok(Ok(photo)) => Some(photo),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "a case photo cannot be used");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "a case photo cannot be read");
                None
            }
        }
    }

    /// Adds a photo of the child (JPEG or PNG), taken on `taken_on` if known. The file is
    /// checked and stripped of its metadata (`casework::photo`), stored encrypted, then named
    /// in the case file.
    pub async fn add_case_photo(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        bytes: Vec<u8>,
        taken_on: &str,
        ip: Ip,
    ) -> std::result::Result<(), CaseError> {
        self.allow(who, Action::UpdateCases)?;
        let row = self.visible_case(who, id).await?;
        let (mut file, episodes) = self.case_file(&row).await?;
        if bytes.len() > PHOTO_MAX_BYTES {
            return Err(form_error(
                "photo",
                format!(
                    "the photo is larger than {} MB; upload a smaller copy",
                    PHOTO_MAX_BYTES / (1024 * 1024)
                ),
            ));
        }
        // Only the sanitised copy is kept: the upload's metadata never reaches the store.
        let bytes = SanitisedPhoto::sanitise(&bytes)
            .map_err(|e| form_error("photo", e.to_string()))?
            .into_bytes();
        let taken_on = match taken_on.trim() {
            "" => None,
            s => match parse_iso_date(s).filter(|d| *d <= self.today()) {
                Some(d) => Some(d),
                None => {
                    return Err(form_error(
                        "taken_on",
                        "enter the date the photo was taken as YYYY-MM-DD (not in the future), or leave it empty",
                    ))
                }
            },
        };
        let stream: blob::UploadStream<'static> =
            Box::pin(futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))
            }));
        let stored = self
            .files
            .store
            .put(stream, PHOTO_MAX_BYTES as u64)
            .await
            .map_err(internal)?;
        file.child.photos.push(casework::PhotoRef {
            id: stored.key.clone(),
            taken_on,
        });
        let now = self.now();
        let result = async {
            let mut tx = self.store.begin().await?;
            self.resummarize(&mut tx, &row, &file, &episodes, now)
                .await?;
            audited(
                &mut tx,
                &By::person(who, ip, now),
                "case.photo",
                RecordRef::case(id),
                Some(format!("photo {}", stored.key)),
            )
            .await?;
            store::commit(tx).await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        if let Err(e) = result {
            // No row names the file: remove it.
            if let Err(d) = self.files.store.delete(&stored.key).await {
                tracing::warn!(error = %d, "removing the file of a failed photo upload");
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// One photo of the child, as stored (sanitised on upload, and again here so that
    /// nothing but a clean JPEG or PNG ever leaves). Audited as a view.
    pub async fn case_photo(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        photo: &str,
        ip: Ip,
    ) -> Result<SanitisedPhoto> {
        let row = self.visible_case(who, id).await?;
        let (file, _) = self.case_file(&row).await?;
        if !file.child.photos.iter().any(|p| p.id == photo) {
            return Err(ServiceError::NotFound("the photo"));
        }
        let bytes = match self.files.store.open(photo).await {
            Ok(r) => r.read_all().await,
            Err(e) => Err(e),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(blob::BlobError::NotFound { .. }) => {
                return Err(ServiceError::NotFound("the photo's file"))
            }
            Err(e) => return Err(internal(e)),
        };
        let clean = SanitisedPhoto::sanitise(&bytes).map_err(internal)?;
        self.record_view(who, "case_photo", &format!("{id}/{photo}"), ip)
            .await?;
        Ok(clean)
    }

    /// Removes a photo from the case file (audited), then its file.
    pub async fn remove_case_photo(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        photo: &str,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::UpdateCases)?;
        let row = self.visible_case(who, id).await?;
        let (mut file, episodes) = self.case_file(&row).await?;
        let Some(at) = file.child.photos.iter().position(|p| p.id == photo) else {
            return Err(ServiceError::NotFound("the photo"));
        };
        file.child.photos.remove(at);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.resummarize(&mut tx, &row, &file, &episodes, now)
            .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.photo.remove",
            RecordRef::case(id),
            Some(format!("photo {photo}")),
        )
        .await?;
        store::commit(tx).await?;
        // No row names the file any more; a failure here leaves only an orphan file.
        if let Err(e) = self.files.store.delete(photo).await {
            tracing::warn!(error = %e, "removing the file of a removed case photo");
        }
        Ok(())
    }
}
