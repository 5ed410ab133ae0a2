//! Publications: PDFs anyone may read, uploaded and removed by `ManagePublications`. The
//! file is checked (a PDF, under the limit) before it is stored in the blob store, and its
//! row and audit entry commit together; a failed commit removes the file again.

use super::{allow, internal};
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::awareness::{check_pdf, Audience, PublicationMeta, MAX_PDF_BYTES};
use casework::model::iso;
use domain::{Action, Principal};
use store::awareness::{self as queries, PublicationRow};

fn subject(id: i64) -> Subject {
    Subject::Other("publication".into(), id.to_string())
}

/// A publication in the public list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationItem {
    pub id: i64,
    pub title: String,
    pub audience: Audience,
    /// `YYYY-MM-DD`
    pub published_on: String,
    pub size_bytes: i64,
}

/// A publication's file, to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationFile {
    pub item: PublicationItem,
    pub bytes: Vec<u8>,
}

fn item(r: &PublicationRow) -> PublicationItem {
    PublicationItem {
        id: r.id,
        title: r.title.clone(),
        audience: r.audience,
        published_on: r.published_on.clone(),
        size_bytes: r.size_bytes,
    }
}

impl Services {
    /// Every publication, newest first, narrowed to an audience. Public.
    pub async fn publications(&self, audience: Option<Audience>) -> Result<Vec<PublicationItem>> {
        Ok(queries::publications(self.store.reader(), audience)
            .await?
            .iter()
            .map(item)
            .collect())
    }

    /// One publication's PDF. Public; checked again on the way out, so nothing but a PDF
    /// is ever served from this route.
    pub async fn publication_file(&self, id: i64) -> Result<PublicationFile> {
        let row = queries::publication_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the publication"))?;
        let bytes = match self.files.store.open(&row.blob_key).await {
            Ok(r) => r.read_all().await,
            Err(e) => Err(e),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(blob::BlobError::NotFound { .. }) => {
                return Err(ServiceError::NotFound("the publication's file"))
            }
            Err(e) => return Err(internal(e)),
        };
        check_pdf(&bytes).map_err(internal)?;
        Ok(PublicationFile {
            item: item(&row),
            bytes,
        })
    }

    /// Stores a publication: `bytes` must be a PDF (`awareness::check_pdf`); the caller
    /// shows the error's words beside the file field.
    pub async fn add_publication(
        &self,
        who: &Principal,
        meta: &PublicationMeta,
        bytes: Vec<u8>,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ManagePublications)?;
        check_pdf(&bytes).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let size = bytes.len() as i64;
        let stream: blob::UploadStream<'static> =
            Box::pin(futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))
            }));
        let stored = self
            .files
            .store
            .put(stream, MAX_PDF_BYTES as u64)
            .await
            .map_err(internal)?;
        let now = self.now();
        let on = iso(meta.published_on);
        let result = async {
            let mut tx = self.store.begin().await?;
            let id = queries::insert_publication(
                &mut *tx,
                &queries::NewPublication {
                    title: &meta.title,
                    audience: meta.audience,
                    published_on: &on,
                    blob_key: &stored.key,
                    size_bytes: size,
                },
                who.user_id,
                now,
            )
            .await?;
            audited(
                &mut tx,
                &By::person(who, ip, now),
                "publication.add",
                subject(id),
                Some(format!("{} ({} bytes)", meta.title, size)),
            )
            .await?;
            store::commit(tx).await?;
            Ok::<_, ServiceError>(id)
        }
        .await;
        if result.is_err() {
            // No row names the file: remove it.
            if let Err(d) = self.files.store.delete(&stored.key).await {
                tracing::warn!(error = %d, "removing the file of a failed publication upload");
            }
        }
        result
    }

    /// Removes a publication (audited), then its file.
    pub async fn remove_publication(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        allow(who, Action::ManagePublications)?;
        let row = queries::publication_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the publication"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::delete_publication(&mut *tx, id).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "publication.remove",
            subject(id),
            Some(row.title.clone()),
        )
        .await?;
        store::commit(tx).await?;
        if let Err(e) = self.files.store.delete(&row.blob_key).await {
            tracing::warn!(error = %e, "removing the file of a removed publication");
        }
        Ok(())
    }
}
