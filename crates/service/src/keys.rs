//! Key rotation (issue 25, finding 7): after the operator makes a new master key current
//! and keeps the old one as a previous key, `rotate_keys` re-seals every second-factor
//! secret and re-encrypts every stored file under the new key, while the server goes on
//! serving (both stores read either key meanwhile). Once it reports nothing left under
//! an old key, the previous key can be retired.

use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::Services;

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RotationReport {
    /// Second-factor secrets re-sealed (or sealed, if stored plain by an older version).
    pub secrets_resealed: usize,
    /// Files re-encrypted under the current key.
    pub files_reencrypted: usize,
    /// Files already under the current key.
    pub files_current: usize,
    /// Files deleted while the rotation ran (a purge): nothing to do.
    pub files_gone: usize,
    /// Files that could not be re-encrypted, with why (blob key, error): they stay under
    /// their old key, so the previous key must stay until they are dealt with.
    pub failed: Vec<(String, String)>,
}

impl RotationReport {
    /// Whether nothing is left under a previous key.
    pub fn complete(&self) -> bool {
        self.failed.is_empty()
    }
}

impl Services {
    /// Re-seals secrets and re-encrypts files under the current key; `progress` is told
    /// (files done, files in all) as it goes. Audited once, with the counts.
    pub async fn rotate_keys(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<RotationReport> {
        let mut report = RotationReport {
            secrets_resealed: self.seal_plaintext_secrets().await?,
            ..RotationReport::default()
        };
        let blobs = self
            .files
            .store
            .list()
            .await
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let total = blobs.len() as u64;
        progress(0, total);
        for (done, entry) in blobs.iter().enumerate() {
            match self.files.store.reencrypt(&entry.key).await {
                Ok(true) => report.files_reencrypted += 1,
                Ok(false) => report.files_current += 1,
                Err(blob::BlobError::NotFound { .. }) => report.files_gone += 1,
                Err(e) => report.failed.push((entry.key.clone(), e.to_string())),
            }
            progress(done as u64 + 1, total);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::operator(None, now),
            "keys.rotate",
            Subject::Nothing,
            Some(format!(
                "key {}: {} secrets re-sealed, {} files re-encrypted, {} already current, {} failed",
                self.sealer.key_id(),
                report.secrets_resealed,
                report.files_reencrypted,
                report.files_current,
                report.failed.len()
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(report)
    }
}
