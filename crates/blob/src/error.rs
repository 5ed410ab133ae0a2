//! The errors of the blob store, one variant per thing that can go wrong, each saying
//! what was wrong and what to do about it, so a handler can map them to HTTP statuses
//! (`TooLarge` → 413, `NotFound` → 404, the rest → 500) and an operator can act on the log.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Everything that can fail when storing, reading or deleting a blob.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BlobError {
    /// The upload went over the configured size limit. Nothing was kept.
    #[error(
        "the file is larger than the limit of {limit} bytes and was not stored; \
         refuse the upload (HTTP 413) or raise the configured size limit"
    )]
    TooLarge {
        /// The limit in bytes that was exceeded.
        limit: u64,
    },

    /// The stream of uploaded bytes failed (client went away, multipart error, ...).
    /// Nothing was kept.
    #[error(
        "reading the uploaded file failed, so nothing was stored; the sender should retry: {0}"
    )]
    Upload(#[source] io::Error),

    /// A file system operation on a path of the store failed.
    #[error(
        "could not {op} {}: {source}; check that the blob directory exists, is writable \
         by this process and its disk has free space",
        path.display()
    )]
    Io {
        /// What was being done ("create", "write", "sync", "rename", ...).
        op: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// Reading a stored blob's bytes failed (for a store without paths, or mid-stream).
    #[error("reading blob {key} failed: {source}; check the storage it lives on")]
    Read {
        /// The blob's key.
        key: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// No blob is stored under this key.
    #[error(
        "no blob is stored under key {key}; it was deleted, or the row refers to another store"
    )]
    NotFound {
        /// The key that was asked for.
        key: String,
    },

    /// The string is not a key this store hands out (it could be an attempt at path
    /// traversal); it is rejected before touching the disk.
    #[error("{key:?} is not a blob key (32 lowercase hexadecimal characters); it did not come from this store")]
    InvalidKey {
        /// The rejected string.
        key: String,
    },

    /// The blob was encrypted under a different master key (or its header was damaged).
    #[error(
        "blob {key} was encrypted under a different key, or its header is damaged; \
         configure the key it was written with"
    )]
    WrongKey {
        /// The blob's key.
        key: String,
    },

    /// The file is not in a format this version can read.
    #[error(
        "blob {key} is not in a format this version can read ({reason}); it was written by \
         a newer version or is not a blob file"
    )]
    Format {
        /// The blob's key.
        key: String,
        /// What is wrong with its header.
        reason: &'static str,
    },

    /// The ciphertext failed authentication: the file was altered, truncated, reordered
    /// or belongs to another key. Plaintext already yielded must be discarded.
    #[error(
        "blob {key} failed its integrity check ({reason}): it was altered, truncated or \
         damaged on disk; do not use what was read of it and restore it from backup"
    )]
    Corrupt {
        /// The blob's key.
        key: String,
        /// Which check failed.
        reason: &'static str,
    },

    /// The upload has more chunks than the 32-bit chunk counter can number (256 TiB).
    #[error(
        "the file is too large to encrypt (more than 2^32 chunks of 64 KiB); set a size limit"
    )]
    ChunkLimit,

    /// Encrypting a chunk failed (cannot happen with valid inputs).
    #[error("encrypting a chunk failed; this is a bug")]
    Encrypt,

    /// A request to the object store (S3) failed. `problem` and `hint` say which of the
    /// usual causes it was (endpoint unreachable, bucket missing, credentials refused, or
    /// another failure) and which setting to check.
    #[error("the object store could not {op} {target}: {problem}; {hint} ({source})")]
    ObjectStore {
        /// What was being done ("store", "read", "delete", "list", "reach", ...).
        op: &'static str,
        /// What it was done to, like `s3://bucket/blobs/ab/<key>`.
        target: String,
        /// What went wrong, in a few words.
        problem: &'static str,
        /// What an operator should check.
        hint: &'static str,
        /// The object store client's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A setting of the object store cannot be used; nothing was contacted.
    #[error("invalid object store setting files.s3.{setting}: {reason}")]
    S3Config {
        /// The setting's name under `files.s3`.
        setting: &'static str,
        /// What is wrong with it and what to give instead.
        reason: String,
    },

    /// A blocking task of the store panicked or was cancelled.
    #[error("a file system task of the blob store did not finish: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// Why a configured master key could not be used. Never contains the key material.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not valid base64 (standard or URL-safe alphabet, padding optional).
    #[error(
        "the blob encryption key is not valid base64 or hex; give 32 random bytes as 44 \
         base64 characters or 64 hex characters (for example from `Key::generate`)"
    )]
    Encoding,
    /// Not valid hexadecimal.
    #[error(
        "the blob encryption key is not valid hex; give 32 random bytes as 64 hex \
         characters (or 44 base64 characters)"
    )]
    Hex,
    /// Decoded to the wrong number of bytes.
    #[error(
        "the blob encryption key decodes to {got} bytes but must be exactly 32; \
         generate a new one (for example with `Key::generate`)"
    )]
    Length {
        /// How many bytes it decoded to.
        got: usize,
    },
}
