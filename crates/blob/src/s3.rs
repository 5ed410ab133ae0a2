//! [`S3Store`], a blob store in a bucket of an S3-compatible object store (AWS S3,
//! Garage, MinIO, Ceph RGW, s3s, ...), with the same at-rest format, hashes and size
//! limit as [`DirStore`](crate::DirStore).
//!
//! # Why `object_store`
//!
//! The client is the `object_store` crate (Apache Arrow) with only its `aws` feature,
//! not the AWS SDK: it builds on the reqwest 0.12, hyper 1 and rustls that the workspace
//! already compiles, so it adds a handful of small crates instead of the SDK's hundred
//! and its long build; it signs requests itself (SigV4), speaks to any endpoint in path
//! or virtual-hosted style, retries with backoff, resumes an interrupted download from
//! where it stopped, and has a multipart-upload API whose parts we cut and send
//! ourselves, so memory stays bounded however large the file.
//!
//! # Layout and write order
//!
//! Blob `abcd…` is the object `<prefix>/ab/abcd…`: the first two characters spread the
//! keys over 256 key prefixes, which S3 scales request rates by. A put encrypts the
//! upload as it arrives ([`crypt`](crate::crypt)'s format, unchanged); up to
//! [`PART_LEN`] of ciphertext goes up in one PUT, anything larger as a multipart upload
//! of `PART_LEN` parts (S3 wants at least 5 MiB for all but the last). `put` returns only
//! after the PUT or the CompleteMultipartUpload succeeded, when S3 has the object
//! durably; on any failure, the size limit included, the multipart upload is aborted so
//! its parts do not linger. A process killed in the middle of an upload cannot abort it:
//! the incomplete multipart upload stays in the bucket, invisible to `list` and to
//! readers, until a lifecycle rule (AbortIncompleteMultipartUpload, see docs/deploy.md)
//! removes it. A crash after `put` but before the row is committed leaves an orphan
//! object that the retention sweep finds with `list` and deletes.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt as _, TryStreamExt as _};
use md5::Md5;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::client::{HttpError, HttpErrorKind};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, MultipartUpload, ObjectStore,
    ObjectStoreExt as _, PutMultipartOptions, PutPayload, RetryConfig,
};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use tokio::task::JoinHandle;
use tokio_util::io::StreamReader;

use crate::crypt::{decrypt_reader, BlobReader, Encryptor, SEALED_CHUNK_LEN};
use crate::error::BlobError;
use crate::key::{check_blob_key, new_blob_key, Key};
use crate::{BlobEntry, BlobStore, BoxFuture, StoredBlob, UploadStream};

/// Bytes of ciphertext in each part of a multipart upload, and the most sent in a single
/// PUT. Above S3's 5 MiB minimum; every part has this size but the last, as some
/// S3-compatible services (R2) require.
pub const PART_LEN: usize = 8 * 1024 * 1024;

/// Parts of one upload sent at a time while the next is filled: with the part being
/// filled, an upload holds at most three parts (24 MiB) in memory.
const PARTS_IN_FLIGHT: usize = 2;

/// Bytes asked for in each ranged GET when reading. A request must finish within the
/// request timeout, and a reader forwarding to a slow client drains it at that client's
/// pace, so reads go in windows rather than one request for the whole object.
const READ_WINDOW: u64 = 8 * 1024 * 1024;

/// Where the object store is and how to sign in to it. `Debug` hides the secret.
#[derive(Clone)]
pub struct S3Config {
    /// The service's URL, like `https://s3.eu-west-1.amazonaws.com` or
    /// `http://127.0.0.1:3900` (Garage).
    pub endpoint: String,
    /// The bucket, which must exist.
    pub bucket: String,
    /// The region to sign for; `us-east-1` unless the service wants another.
    pub region: String,
    /// The access key's id.
    pub access_key_id: String,
    /// The access key's secret.
    pub secret_access_key: String,
    /// Path segments before the blobs' names, like `clearinghouse/blobs`; may be empty.
    pub prefix: String,
    /// Allow a plain `http://` endpoint (a local test server, or a service on a trusted
    /// network); refused otherwise, so credentials and ciphertext never go in the clear
    /// by mistake.
    pub allow_http: bool,
    /// Path-style requests (`endpoint/bucket/key`), as most self-hosted services expect;
    /// false for virtual-hosted style (`bucket.endpoint/key`).
    pub path_style: bool,
    /// How often a failed request is retried (with exponential backoff) before the
    /// error is reported.
    pub max_retries: usize,
    /// The longest one request may take, body included.
    pub request_timeout: Duration,
}

impl S3Config {
    /// Settings for `bucket` at `endpoint`, with the defaults for everything else.
    pub fn new(endpoint: impl Into<String>, bucket: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            bucket: bucket.into(),
            region: "us-east-1".to_owned(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            prefix: "blobs".to_owned(),
            allow_http: false,
            path_style: true,
            // A few quick retries ride out a dropped connection or a 503 SlowDown while
            // a start-up check against a wrong endpoint still fails within seconds.
            max_retries: 4,
            request_timeout: Duration::from_secs(120),
        }
    }
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("prefix", &self.prefix)
            .field("allow_http", &self.allow_http)
            .field("path_style", &self.path_style)
            .field("max_retries", &self.max_retries)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// A blob store in a bucket of an S3-compatible object store.
pub struct S3Store {
    store: Arc<AmazonS3>,
    /// The current master key first, then previous ones a rotation still needs to read.
    keys: Vec<Key>,
    /// The prefix as object-store path segments (empty for the bucket's root).
    prefix: Path,
    endpoint: String,
    bucket: String,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix.as_ref())
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

fn config_error(setting: &'static str, reason: impl Into<String>) -> BlobError {
    BlobError::S3Config {
        setting,
        reason: reason.into(),
    }
}

/// The prefix as path segments: only characters that need no escaping in a URL or a
/// file system, so the object names are the same on every S3-compatible service.
fn parse_prefix(prefix: &str) -> Result<Path, BlobError> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(Path::default());
    }
    for segment in trimmed.split('/') {
        let allowed = segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if segment.is_empty() || segment == "." || segment == ".." || !allowed {
            return Err(config_error(
                "prefix",
                format!(
                    "{prefix:?} is not a usable prefix; give path segments of letters, digits, \
                     '-', '_' and '.' separated by '/', like \"clearinghouse/blobs\""
                ),
            ));
        }
    }
    Ok(Path::from(trimmed))
}

impl S3Store {
    /// A store in the bucket that `config` names, encrypting under `key`. Checks the
    /// settings but contacts nothing; call [`check`](Self::check) at start-up.
    pub fn new(config: &S3Config, key: Key) -> Result<Self, BlobError> {
        let endpoint = config.endpoint.trim().trim_end_matches('/');
        if endpoint.is_empty() {
            return Err(config_error(
                "endpoint",
                "it is empty; give the object store's URL, like https://s3.us-east-1.amazonaws.com",
            ));
        }
        let plain = endpoint.starts_with("http://");
        if !plain && !endpoint.starts_with("https://") {
            return Err(config_error(
                "endpoint",
                format!("{endpoint:?} is not an http:// or https:// URL"),
            ));
        }
        if plain && !config.allow_http {
            return Err(config_error(
                "endpoint",
                format!(
                    "{endpoint:?} is plain HTTP, which would send the credentials' signatures \
                     and the files in the clear; use https://, or set files.s3.allow_http = true \
                     for a service on a trusted network"
                ),
            ));
        }
        let bucket = config.bucket.trim();
        if bucket.is_empty() {
            return Err(config_error(
                "bucket",
                "it is empty; give the name of an existing bucket",
            ));
        }
        if config.region.trim().is_empty() {
            return Err(config_error(
                "region",
                "it is empty; give the region to sign for (\"us-east-1\" unless the service says otherwise)",
            ));
        }
        if config.access_key_id.is_empty() || config.secret_access_key.is_empty() {
            return Err(config_error(
                "access_key_id",
                "the access key id and secret must both be set (the secret from \
                 CLEARINGHOUSE_FILES__S3__SECRET_ACCESS_KEY or a secret store)",
            ));
        }
        let prefix = parse_prefix(&config.prefix)?;

        let client = ClientOptions::new()
            .with_allow_http(config.allow_http)
            .with_timeout(config.request_timeout)
            .with_connect_timeout(Duration::from_secs(5));
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: config.max_retries,
            retry_timeout: Duration::from_secs(180),
        };
        let store = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_bucket_name(bucket)
            .with_region(config.region.trim())
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            .with_allow_http(config.allow_http)
            .with_virtual_hosted_style_request(!config.path_style)
            .with_client_options(client)
            .with_retry(retry)
            .build()
            .map_err(|e| {
                config_error("endpoint", format!("the client refused the settings: {e}"))
            })?;
        Ok(Self {
            store: Arc::new(store),
            keys: vec![key],
            prefix,
            endpoint: endpoint.to_owned(),
            bucket: bucket.to_owned(),
        })
    }

    /// Also reads blobs written under `previous` master keys, until
    /// [`reencrypt`](BlobStore::reencrypt) has moved them to the current key.
    pub fn with_previous_keys(mut self, previous: Vec<Key>) -> Self {
        crate::key::set_previous(&mut self.keys, previous);
        self
    }

    /// Makes one listing request under the prefix, so a wrong endpoint, a missing
    /// bucket or refused credentials stop the program at start rather than fail the
    /// first upload.
    pub async fn check(&self) -> Result<(), BlobError> {
        self.store
            .list_with_delimiter(self.prefix_option())
            .await
            .map(|_| ())
            .map_err(|e| self.error("reach", self.target(self.prefix.as_ref()), e, true))
    }

    /// The object name of blob `key`, after checking that `key` is one of ours.
    pub fn object_path(&self, key: &str) -> Result<Path, BlobError> {
        check_blob_key(key)?;
        let shard = &key[..2];
        Ok(if self.prefix.as_ref().is_empty() {
            Path::from_iter([shard, key])
        } else {
            self.prefix.clone().join(shard).join(key)
        })
    }

    fn prefix_option(&self) -> Option<&Path> {
        (!self.prefix.as_ref().is_empty()).then_some(&self.prefix)
    }

    fn target(&self, path: &str) -> String {
        format!("s3://{}/{path} at {}", self.bucket, self.endpoint)
    }

    /// Describes a failed request. `missing_is_bucket`: a 404 where the object itself
    /// need not exist (listing, storing) can only mean the bucket is missing.
    fn error(
        &self,
        op: &'static str,
        target: String,
        source: object_store::Error,
        missing_is_bucket: bool,
    ) -> BlobError {
        let (problem, hint) = classify(&source, missing_is_bucket);
        BlobError::ObjectStore {
            op,
            target,
            problem,
            hint,
            source: Box::new(source),
        }
    }

    async fn put_stream(
        &self,
        data: UploadStream<'_>,
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        self.write(new_blob_key(), data, limit).await
    }

    /// Writes blob `key` from `data` under the current key: a new object, or a new
    /// version that replaces the object whole when the upload completes (a rotation).
    async fn write(
        &self,
        key: String,
        mut data: UploadStream<'_>,
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        let location = self.object_path(&key)?;
        let (mut encryptor, header) = Encryptor::new(&self.keys[0], &key)?;
        let mut buffer = Vec::with_capacity(PART_LEN + 2 * SEALED_CHUNK_LEN);
        buffer.extend_from_slice(&header);
        let (mut md5, mut sha1, mut sha256) = (Md5::new(), Sha1::new(), Sha256::new());
        let mut size: u64 = 0;
        // Started when the ciphertext outgrows one part. Dropping it (an error below, or
        // the caller dropping this future) aborts the multipart upload.
        let mut upload: Option<PartUpload> = None;

        let outcome: Result<(), BlobError> = async {
            while let Some(piece) = data.next().await {
                let piece: Bytes = piece.map_err(BlobError::Upload)?;
                size = size.saturating_add(piece.len() as u64);
                if size > limit {
                    return Err(BlobError::TooLarge { limit });
                }
                md5.update(&piece);
                sha1.update(&piece);
                sha256.update(&piece);
                encryptor.update(&piece, &mut buffer)?;
                while buffer.len() >= PART_LEN {
                    let mut rest = Vec::with_capacity(PART_LEN + 2 * SEALED_CHUNK_LEN);
                    rest.extend_from_slice(&buffer[PART_LEN..]);
                    buffer.truncate(PART_LEN);
                    let part = std::mem::replace(&mut buffer, rest);
                    let up = match upload.as_mut() {
                        Some(up) => up,
                        None => upload.insert(self.start_upload(&location).await?),
                    };
                    up.send(Bytes::from(part), self).await?;
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = outcome {
            if let Some(up) = upload.take() {
                up.abort().await;
            }
            return Err(e);
        }

        let mut last = Vec::with_capacity(SEALED_CHUNK_LEN);
        encryptor.finish(&mut last)?;
        buffer.extend_from_slice(&last);
        match upload.take() {
            None => {
                self.store
                    .put(&location, PutPayload::from(buffer))
                    .await
                    .map_err(|e| self.error("store", self.target(location.as_ref()), e, true))?;
            }
            Some(mut up) => {
                let sent = up.send(Bytes::from(buffer), self).await;
                let completed = match sent {
                    Ok(()) => up.complete(self).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = completed {
                    up.abort().await;
                    return Err(e);
                }
            }
        }

        Ok(StoredBlob {
            key,
            size,
            md5_hex: hex::encode(md5.finalize()),
            sha1_hex: hex::encode(sha1.finalize()),
            sha256_hex: hex::encode(sha256.finalize()),
        })
    }

    async fn start_upload(&self, location: &Path) -> Result<PartUpload, BlobError> {
        let inner = self
            .store
            .put_multipart_opts(location, PutMultipartOptions::default())
            .await
            .map_err(|e| self.error("start uploading", self.target(location.as_ref()), e, true))?;
        Ok(PartUpload {
            inner: Some(inner),
            in_flight: VecDeque::new(),
            target: self.target(location.as_ref()),
        })
    }

    async fn open_blob(&self, key: &str) -> Result<BlobReader, BlobError> {
        let location = self.object_path(key)?;
        let meta = match self.store.head(&location).await {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(BlobError::NotFound {
                    key: key.to_owned(),
                })
            }
            Err(e) => return Err(self.error("read", self.target(location.as_ref()), e, false)),
        };
        let windows = Windows {
            store: Arc::clone(&self.store),
            location,
            size: meta.size,
            e_tag: meta.e_tag,
            offset: 0,
        };
        let bytes = stream::try_unfold(windows, Windows::next_window).try_flatten();
        decrypt_reader(StreamReader::new(Box::pin(bytes)), &self.keys, key).await
    }

    async fn delete_blob(&self, key: &str) -> Result<bool, BlobError> {
        let location = self.object_path(key)?;
        // S3 answers a DELETE of a missing object with success, so ask first: the answer
        // only feeds `Ok(false)`, and a concurrent delete makes both callers see `true`,
        // which is as harmless as the retry it stands for.
        match self.store.head(&location).await {
            Ok(_) => {}
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(self.error("delete", self.target(location.as_ref()), e, false)),
        }
        self.store
            .delete(&location)
            .await
            .map_err(|e| self.error("delete", self.target(location.as_ref()), e, false))?;
        Ok(true)
    }

    async fn list_blobs(&self) -> Result<Vec<BlobEntry>, BlobError> {
        let metas: Vec<_> = self
            .store
            .list(self.prefix_option())
            .try_collect()
            .await
            .map_err(|e| self.error("list", self.target(self.prefix.as_ref()), e, true))?;
        let mut out: Vec<BlobEntry> = metas
            .into_iter()
            .filter_map(|meta| {
                let mut parts = meta.location.parts();
                for expected in self.prefix.parts() {
                    if parts.next()? != expected {
                        return None;
                    }
                }
                let shard = parts.next()?;
                let key = parts.next()?.as_ref().to_owned();
                let ours = parts.next().is_none()
                    && check_blob_key(&key).is_ok()
                    && shard.as_ref() == &key[..2];
                ours.then(|| BlobEntry {
                    key,
                    modified: meta.last_modified.into(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}

/// A multipart upload in progress: parts are sent by tasks of their own so the next one
/// fills while they go.
struct PartUpload {
    inner: Option<Box<dyn MultipartUpload>>,
    in_flight: VecDeque<JoinHandle<object_store::Result<()>>>,
    target: String,
}

impl PartUpload {
    async fn send(&mut self, part: Bytes, store: &S3Store) -> Result<(), BlobError> {
        let Some(inner) = self.inner.as_mut() else {
            return Err(BlobError::Encrypt);
        };
        let request = inner.put_part(PutPayload::from(part));
        self.in_flight.push_back(tokio::spawn(request));
        while self.in_flight.len() > PARTS_IN_FLIGHT {
            self.wait_oldest(store).await?;
        }
        Ok(())
    }

    async fn wait_oldest(&mut self, store: &S3Store) -> Result<(), BlobError> {
        if let Some(handle) = self.in_flight.pop_front() {
            handle
                .await
                .map_err(BlobError::Task)?
                .map_err(|e| store.error("upload a part of", self.target.clone(), e, true))?;
        }
        Ok(())
    }

    async fn complete(&mut self, store: &S3Store) -> Result<(), BlobError> {
        while !self.in_flight.is_empty() {
            self.wait_oldest(store).await?;
        }
        let Some(inner) = self.inner.as_mut() else {
            return Err(BlobError::Encrypt);
        };
        inner
            .complete()
            .await
            .map_err(|e| store.error("complete the upload of", self.target.clone(), e, true))?;
        // Completed: nothing is left to abort.
        self.inner = None;
        Ok(())
    }

    /// Stops the parts still going and aborts the upload, so S3 drops the parts it has.
    /// Best effort: if the abort fails too, the bucket's lifecycle rule removes them.
    async fn abort(mut self) {
        for handle in self.in_flight.drain(..) {
            handle.abort();
        }
        if let Some(mut inner) = self.inner.take() {
            let _ = inner.abort().await;
        }
    }
}

impl Drop for PartUpload {
    fn drop(&mut self) {
        // Reached with `inner` set only when the `put` future was dropped mid-upload (the
        // client went away); the abort then runs on its own task.
        for handle in self.in_flight.drain(..) {
            handle.abort();
        }
        if let Some(mut inner) = self.inner.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = inner.abort().await;
                });
            }
        }
    }
}

/// Reads an object as a series of ranged GETs of at most [`READ_WINDOW`] bytes, each
/// streamed, all pinned to the version first seen (If-Match on its ETag), so a reader
/// never mixes two versions and memory stays constant whatever the object's size.
struct Windows {
    store: Arc<AmazonS3>,
    location: Path,
    size: u64,
    e_tag: Option<String>,
    offset: u64,
}

type ByteStream = futures_util::stream::BoxStream<'static, io::Result<Bytes>>;

impl Windows {
    async fn next_window(mut self) -> io::Result<Option<(ByteStream, Self)>> {
        if self.offset >= self.size {
            return Ok(None);
        }
        let end = self.size.min(self.offset.saturating_add(READ_WINDOW));
        let options = GetOptions {
            range: Some(GetRange::Bounded(self.offset..end)),
            if_match: self.e_tag.clone(),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(&self.location, options)
            .await
            .map_err(io::Error::other)?;
        let body: ByteStream = Box::pin(result.into_stream().map_err(io::Error::other));
        self.offset = end;
        Ok(Some((body, self)))
    }
}

/// Which of the usual problems an object-store error is, and what to check.
fn classify(error: &object_store::Error, missing_is_bucket: bool) -> (&'static str, &'static str) {
    use object_store::Error as E;
    let status = match error {
        E::Unauthenticated { .. } => Some(401),
        E::PermissionDenied { .. } => Some(403),
        E::NotFound { .. } => Some(404),
        _ => status_in_chain(error),
    };
    match status {
        Some(401 | 403) => (
            "the object store refused the credentials",
            "check files.s3.access_key_id and files.s3.secret_access_key, the region, and \
             that the key may read, write, list and delete in the bucket",
        ),
        Some(404) if missing_is_bucket => (
            "the bucket does not exist",
            "create it, or correct files.s3.bucket (and files.s3.endpoint)",
        ),
        Some(404) => (
            "the object does not exist",
            "it was deleted, or the bucket is not the one it was written to",
        ),
        _ if is_connect_error(error) => (
            "the endpoint could not be reached",
            "check files.s3.endpoint, that the service is running and reachable from this \
             host, and its TLS certificate",
        ),
        _ => (
            "the request failed",
            "check the object store's health and logs; the operation can be retried",
        ),
    }
}

/// The HTTP status of a failed request, for the errors that `object_store` reports as
/// `Generic` (listing, multipart uploads). Its request error type, which holds the
/// status, is not public, so this reads the status from its message ("... status code:
/// 404 Not Found ...").
fn status_in_chain(error: &(dyn std::error::Error + 'static)) -> Option<u16> {
    const MARK: &str = "status code: ";
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if let Some(at) = text.find(MARK) {
            let digits = text.get(at + MARK.len()..at + MARK.len() + 3)?;
            return digits.parse().ok();
        }
        next = e.source();
    }
    None
}

/// Whether the error, somewhere in its chain, is a failure to connect (or a timeout,
/// which for a service that never answers looks the same).
fn is_connect_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(http) = e.downcast_ref::<HttpError>() {
            if matches!(http.kind(), HttpErrorKind::Connect | HttpErrorKind::Timeout) {
                return true;
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::NotConnected
            ) {
                return true;
            }
        }
        next = e.source();
    }
    false
}

impl BlobStore for S3Store {
    fn put<'a>(
        &'a self,
        data: UploadStream<'a>,
        limit: u64,
    ) -> BoxFuture<'a, Result<StoredBlob, BlobError>> {
        Box::pin(self.put_stream(data, limit))
    }

    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<BlobReader, BlobError>> {
        Box::pin(self.open_blob(key))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>> {
        Box::pin(self.delete_blob(key))
    }

    fn reencrypt<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>> {
        Box::pin(async move {
            let reader = self.open_blob(key).await?;
            if !reader.under_previous_key() {
                return Ok(false);
            }
            let plain: UploadStream<'_> = Box::pin(reader.map(|r| r.map_err(io::Error::other)));
            self.write(key.to_owned(), plain, u64::MAX).await?;
            Ok(true)
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobEntry>, BlobError>> {
        Box::pin(self.list_blobs())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn config() -> S3Config {
        let mut c = S3Config::new("https://s3.example.org", "evidence");
        c.access_key_id = "AKIDEXAMPLE".into();
        c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into();
        c
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", config());
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let store = S3Store::new(&config(), Key::generate()).unwrap();
        let shown = format!("{store:?}");
        assert!(!shown.contains("wJalr"), "{shown}");
    }

    #[test]
    fn object_names_are_sharded_under_the_prefix_and_keys_are_checked() {
        let key = "0123456789abcdef0123456789abcdef";
        let store = S3Store::new(&config(), Key::generate()).unwrap();
        assert_eq!(
            store.object_path(key).unwrap().as_ref(),
            format!("blobs/01/{key}")
        );
        let mut c = config();
        c.prefix = "/clearinghouse/evidence/".into();
        let store = S3Store::new(&c, Key::generate()).unwrap();
        assert_eq!(
            store.object_path(key).unwrap().as_ref(),
            format!("clearinghouse/evidence/01/{key}")
        );
        c.prefix = String::new();
        let store = S3Store::new(&c, Key::generate()).unwrap();
        assert_eq!(
            store.object_path(key).unwrap().as_ref(),
            format!("01/{key}")
        );
        for bad in ["../x", "", "0123456789abcdef0123456789abcde/"] {
            assert!(matches!(
                store.object_path(bad),
                Err(BlobError::InvalidKey { .. })
            ));
        }
    }

    #[test]
    fn unusable_settings_are_refused_by_name() {
        type Change = fn(&mut S3Config);
        let cases: [(&str, Change); 6] = [
            ("endpoint", |c| c.endpoint = String::new()),
            ("endpoint", |c| c.endpoint = "s3.example.org".into()),
            ("endpoint", |c| c.endpoint = "http://s3.example.org".into()),
            ("bucket", |c| c.bucket = " ".into()),
            ("access_key_id", |c| c.secret_access_key = String::new()),
            ("prefix", |c| c.prefix = "a/../b".into()),
        ];
        for (setting, change) in cases {
            let mut c = config();
            change(&mut c);
            match S3Store::new(&c, Key::generate()) {
                Err(BlobError::S3Config { setting: s, .. }) => assert_eq!(s, setting),
                other => panic!("expected a {setting} error, got {other:?}"),
            }
        }
        let mut c = config();
        c.endpoint = "http://127.0.0.1:9000".into();
        c.allow_http = true;
        assert!(S3Store::new(&c, Key::generate()).is_ok());
    }
}
