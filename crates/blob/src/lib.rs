//! Storage for the evidence files that online service providers upload with their
//! reports: streamed (never held whole in memory), hashed, size-limited, and encrypted
//! at rest with AES-256-GCM under a master key from configuration.
//!
//! [`BlobStore`] is the interface the rest of Clearinghouse uses, object-safe so the
//! application can hold an `Arc<dyn BlobStore>` chosen by configuration. [`DirStore`]
//! implements it on a local directory (the default); [`S3Store`] in a bucket of an
//! S3-compatible object store. Both write [`crypt`]'s format and the same hashes, so a
//! blob reads the same whichever store holds it.
//!
//! Write order for an upload: `put` the file (it is durable when `put` returns), then
//! commit the database row naming `StoredBlob::key`. A crash can then leave an orphan
//! file, never a row without its file or a half-written file. For a delete, commit the
//! row's removal first, then `delete` the file.

pub mod crypt;
mod dir;
mod error;
mod key;
mod s3;
pub mod seal;

use std::future::Future;
use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;

pub use crate::crypt::BlobReader;
pub use crate::dir::{relative_path, DirStore, TEMP_DIR};
pub use crate::error::{BlobError, KeyError};
pub use crate::key::{check_blob_key, new_blob_key, Key, BLOB_KEY_LEN};
pub use crate::s3::{S3Config, S3Store, PART_LEN};
pub use crate::seal::{SealError, Sealer};

/// A boxed, sendable future, as the methods of [`BlobStore`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The bytes of an upload, in pieces of any size. Map the source's errors (multipart,
/// body) into `io::Error`, for instance with `io::Error::other`.
pub type UploadStream<'a> = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'a>>;

/// What [`BlobStore::put`] stored: the key to record in the database row, and the size
/// and hashes of the plaintext (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// Random name of the blob: 32 lowercase hex characters, safe in paths and URLs.
    pub key: String,
    /// Size of the plaintext in bytes.
    pub size: u64,
    /// MD5 of the plaintext, as the reporting API returns it.
    pub md5_hex: String,
    /// SHA-1 of the plaintext.
    pub sha1_hex: String,
    /// SHA-256 of the plaintext.
    pub sha256_hex: String,
}

/// Where evidence files are kept. Every method is cancel-safe in the sense that a
/// dropped future leaves no partial file behind.
pub trait BlobStore: Send + Sync {
    /// Stores the bytes of `data`, refusing with [`BlobError::TooLarge`] as soon as more
    /// than `limit` bytes have arrived. When this returns `Ok` the file is durable.
    fn put<'a>(
        &'a self,
        data: UploadStream<'a>,
        limit: u64,
    ) -> BoxFuture<'a, Result<StoredBlob, BlobError>>;

    /// Opens blob `key` for reading its plaintext. Fails with [`BlobError::NotFound`] if
    /// there is none, and with [`BlobError::WrongKey`] or [`BlobError::Corrupt`] if the
    /// start of it does not check out; later damage surfaces as an error in the stream.
    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<BlobReader, BlobError>>;

    /// Deletes blob `key`; `Ok(false)` if there was none (so retries are harmless).
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>>;

    /// Re-encrypts blob `key` under the current master key if a previous key wrote it
    /// (key rotation, issue 25); `Ok(false)` when it already was under the current key.
    /// The content and its hashes do not change, and a reader gets the old file or the
    /// new one whole. A blob deleted while it is rewritten may come back as an orphan,
    /// which the retention sweep removes.
    fn reencrypt<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>>;

    /// Every stored blob with when it was written, for the sweep that removes files no
    /// row names (retention, issue 25). Uploads in progress are not listed.
    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobEntry>, BlobError>>;
}

/// A stored blob, as [`BlobStore::list`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobEntry {
    pub key: String,
    /// When the file was written (its modification time).
    pub modified: std::time::SystemTime,
}
