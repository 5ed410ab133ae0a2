//! End-to-end tests of the blob stores through the `BlobStore` interface, as the web
//! server uses it: round trips, known hashes, the size limit, cleanup of unfinished
//! uploads, the orphan sweep, and detection of every kind of damage to a stored blob.
//! Every test runs twice, against `DirStore` and against `S3Store` talking to a real
//! S3-compatible server (s3s-fs, in-process, over HTTP); the S3-only tests at the end
//! cover what has no counterpart on a directory (credentials, buckets, endpoints).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/s3_server.rs"]
mod s3_server;

use std::fs;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use blob::crypt::{CHUNK_LEN, HEADER_LEN, SEALED_CHUNK_LEN, TAG_LEN};
use blob::{BlobError, BlobStore, DirStore, Key, S3Store, StoredBlob, UploadStream, PART_LEN};
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::{ObjectStore, ObjectStoreExt as _};
use s3_server::S3Server;

fn data(len: usize) -> Vec<u8> {
    // Not periodic in the chunk size, so moved chunks would show.
    (0..len)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// The data as an upload arriving in pieces of `piece` bytes.
fn upload(data: &[u8], piece: usize) -> UploadStream<'static> {
    let pieces: Vec<io::Result<Bytes>> = data
        .chunks(piece.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Box::pin(futures_util::stream::iter(pieces))
}

/// A store under test, with raw access to what it keeps, below the encryption, for the
/// damage tests and to see what an upload left behind.
trait Harness: Sized + Send + Sync + 'static {
    type Store: BlobStore + 'static;

    async fn new() -> Self;
    fn store(&self) -> &Self::Store;
    /// Another store on the same storage, encrypting under `key`.
    fn with_key(&self, key: Key) -> Self::Store;
    /// The store under `current`, still reading what `previous` wrote (a rotation).
    fn rotated(&self, current: Key, previous: Key) -> Self::Store;
    /// The stored (encrypted) bytes of blob `key`.
    async fn read_raw(&self, key: &str) -> Vec<u8>;
    /// Replaces the stored bytes of blob `key`.
    async fn write_raw(&self, key: &str, bytes: &[u8]);
    /// Removes the stored bytes of blob `key` behind the store's back.
    async fn delete_raw(&self, key: &str);
    /// Every file or object kept, blobs or not.
    async fn stored(&self) -> Vec<String>;
    /// What unfinished uploads left: temporary files, incomplete multipart uploads.
    fn unfinished(&self) -> Vec<String>;
}

struct DirHarness {
    dir: tempfile::TempDir,
    store: DirStore,
}

/// Every file under `root`, relative to it.
fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out
}

impl Harness for DirHarness {
    type Store = DirStore;

    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path(), Key::generate()).unwrap();
        Self { dir, store }
    }
    fn store(&self) -> &DirStore {
        &self.store
    }
    fn with_key(&self, key: Key) -> DirStore {
        DirStore::new(self.dir.path(), key).unwrap()
    }
    fn rotated(&self, current: Key, previous: Key) -> DirStore {
        self.with_key(current).with_previous_keys(vec![previous])
    }
    async fn read_raw(&self, key: &str) -> Vec<u8> {
        fs::read(self.store.blob_path(key).unwrap()).unwrap()
    }
    async fn write_raw(&self, key: &str, bytes: &[u8]) {
        fs::write(self.store.blob_path(key).unwrap(), bytes).unwrap();
    }
    async fn delete_raw(&self, key: &str) {
        fs::remove_file(self.store.blob_path(key).unwrap()).unwrap();
    }
    async fn stored(&self) -> Vec<String> {
        files_under(self.dir.path())
    }
    fn unfinished(&self) -> Vec<String> {
        files_under(&self.store.temp_dir())
    }
}

struct S3Harness {
    server: S3Server,
    store: S3Store,
    /// A plain client of the same bucket, for raw access.
    raw: object_store::aws::AmazonS3,
}

impl Harness for S3Harness {
    type Store = S3Store;

    async fn new() -> Self {
        let server = S3Server::start().await;
        let store = S3Store::new(&server.config(), Key::generate()).unwrap();
        store.check().await.unwrap();
        let raw = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&server.endpoint)
            .with_bucket_name(s3_server::BUCKET)
            .with_region("us-east-1")
            .with_access_key_id(s3_server::ACCESS_KEY)
            .with_secret_access_key(s3_server::SECRET_KEY)
            .with_allow_http(true)
            .build()
            .unwrap();
        Self { server, store, raw }
    }
    fn store(&self) -> &S3Store {
        &self.store
    }
    fn with_key(&self, key: Key) -> S3Store {
        S3Store::new(&self.server.config(), key).unwrap()
    }
    fn rotated(&self, current: Key, previous: Key) -> S3Store {
        self.with_key(current).with_previous_keys(vec![previous])
    }
    async fn read_raw(&self, key: &str) -> Vec<u8> {
        let path = self.store.object_path(key).unwrap();
        let got = self.raw.get(&path).await.unwrap();
        got.bytes().await.unwrap().to_vec()
    }
    async fn write_raw(&self, key: &str, bytes: &[u8]) {
        let path = self.store.object_path(key).unwrap();
        self.raw.put(&path, bytes.to_vec().into()).await.unwrap();
    }
    async fn delete_raw(&self, key: &str) {
        let path = self.store.object_path(key).unwrap();
        self.raw.delete(&path).await.unwrap();
    }
    async fn stored(&self) -> Vec<String> {
        let metas: Vec<_> = self.raw.list(None).try_collect().await.unwrap();
        metas.into_iter().map(|m| m.location.to_string()).collect()
    }
    fn unfinished(&self) -> Vec<String> {
        self.server
            .pending_uploads()
            .into_iter()
            .map(|p| p.display().to_string())
            .collect()
    }
}

/// Runs each generic test against both stores, as `dir_store::NAME` and `s3_store::NAME`.
macro_rules! for_both_stores {
    ($($name:ident),* $(,)?) => {
        mod dir_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(<super::DirHarness as super::Harness>::new().await).await;
                }
            )*
        }
        mod s3_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(<super::S3Harness as super::Harness>::new().await).await;
                }
            )*
        }
    };
}

for_both_stores!(
    a_rotation_reencrypts_old_blobs_under_the_new_key_once,
    round_trips_edge_sizes,
    large_files_round_trip_through_parts,
    reading_streams_in_chunks_of_at_most_64_kib,
    hashes_match_known_vectors,
    the_size_limit_is_exact_and_leaves_nothing_behind,
    a_size_limit_hit_past_the_first_part_leaves_nothing_behind,
    a_failing_upload_stream_leaves_nothing_behind,
    keys_are_unique_and_safe_in_paths_and_urls,
    bad_and_missing_keys_are_reported,
    delete_removes_the_file_once,
    works_as_a_shared_trait_object,
    a_blob_put_but_never_recorded_is_listed_and_swept,
    list_gives_every_blob_with_its_time,
    a_flipped_byte_is_detected_anywhere,
    truncation_is_detected,
    dropping_the_empty_last_chunk_of_an_exact_multiple_is_detected,
    reordered_or_duplicated_chunks_are_detected,
    a_wrong_key_is_reported_as_such,
    a_file_swapped_under_another_key_is_detected,
    the_same_content_encrypts_differently_each_time,
);

async fn put<H: Harness>(h: &H, data: &[u8]) -> StoredBlob {
    h.store().put(upload(data, 10_000), u64::MAX).await.unwrap()
}

async fn read<H: Harness>(h: &H, key: &str) -> Result<Vec<u8>, BlobError> {
    h.store().open(key).await?.read_all().await
}

async fn round_trips_edge_sizes<H: Harness>(h: H) {
    for len in [
        0,
        1,
        CHUNK_LEN - 1,
        CHUNK_LEN,
        CHUNK_LEN + 1,
        2 * CHUNK_LEN,
        5 * 1024 * 1024 + 17,
    ] {
        let content = data(len);
        for piece in [1 << 10, CHUNK_LEN, 1 << 20] {
            let blob = h
                .store()
                .put(upload(&content, piece), u64::MAX)
                .await
                .unwrap();
            assert_eq!(blob.size, len as u64);
            assert_eq!(
                read(&h, &blob.key).await.unwrap(),
                content,
                "len {len} piece {piece}"
            );
            let raw = h.read_raw(&blob.key).await;
            assert_eq!(raw.len() as u64, blob::crypt::sealed_len(len as u64));
        }
    }
    assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());
}

async fn large_files_round_trip_through_parts<H: Harness>(h: H) {
    // Over two parts of a multipart upload, not a multiple of anything; and exactly one
    // part's worth of ciphertext, the boundary between a single PUT and parts.
    let exact = PART_LEN - HEADER_LEN - (PART_LEN / SEALED_CHUNK_LEN + 1) * TAG_LEN;
    for len in [2 * PART_LEN + 12_345, exact] {
        let content = data(len);
        let blob = h
            .store()
            .put(upload(&content, 300_000), u64::MAX)
            .await
            .unwrap();
        assert_eq!(blob.size, len as u64);
        assert_eq!(read(&h, &blob.key).await.unwrap(), content, "len {len}");
        let raw = h.read_raw(&blob.key).await;
        assert_eq!(raw.len() as u64, blob::crypt::sealed_len(len as u64));
    }
    assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());
}

async fn reading_streams_in_chunks_of_at_most_64_kib<H: Harness>(h: H) {
    let content = data(3 * CHUNK_LEN + 5);
    let blob = put(&h, &content).await;
    let mut reader = h.store().open(&blob.key).await.unwrap();
    let mut sizes = Vec::new();
    while let Some(chunk) = reader.next().await {
        sizes.push(chunk.unwrap().len());
    }
    assert_eq!(sizes, [CHUNK_LEN, CHUNK_LEN, CHUNK_LEN, 5]);
}

async fn hashes_match_known_vectors<H: Harness>(h: H) {
    // "abc" split across pieces, so hashing spans them.
    let pieces: Vec<io::Result<Bytes>> =
        vec![Ok(Bytes::from_static(b"a")), Ok(Bytes::from_static(b"bc"))];
    let blob = h
        .store()
        .put(Box::pin(futures_util::stream::iter(pieces)), 3)
        .await
        .unwrap();
    assert_eq!(blob.size, 3);
    assert_eq!(blob.md5_hex, "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(blob.sha1_hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_eq!(
        blob.sha256_hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );

    let empty = put(&h, b"").await;
    assert_eq!(empty.size, 0);
    assert_eq!(empty.md5_hex, "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(empty.sha1_hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_eq!(
        empty.sha256_hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

async fn the_size_limit_is_exact_and_leaves_nothing_behind<H: Harness>(h: H) {
    let content = data(CHUNK_LEN * 3);

    let err = h
        .store()
        .put(upload(&content, 1000), content.len() as u64 - 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BlobError::TooLarge { limit } if limit == content.len() as u64 - 1),
        "{err}"
    );
    assert!(err.to_string().contains("413"));
    assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);
    assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());

    // One piece far over the limit is refused too.
    let err = h
        .store()
        .put(upload(&content, content.len()), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { limit: 10 }), "{err}");
    assert!(h.stored().await.is_empty());

    // Exactly at the limit is fine.
    let blob = h
        .store()
        .put(upload(&content, 1000), content.len() as u64)
        .await
        .unwrap();
    assert_eq!(read(&h, &blob.key).await.unwrap(), content);
    assert_eq!(h.stored().await.len(), 1);
}

async fn a_size_limit_hit_past_the_first_part_leaves_nothing_behind<H: Harness>(h: H) {
    // Two parts have gone up (to S3: a multipart upload is under way) when the limit
    // is crossed; the upload must be aborted, not left for the lifecycle rule.
    let content = data(2 * PART_LEN + CHUNK_LEN);
    let limit = 2 * PART_LEN as u64 + 1;
    let err = h
        .store()
        .put(upload(&content, CHUNK_LEN), limit)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { .. }), "{err}");
    assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);
    assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());
    assert!(h.store().list().await.unwrap().is_empty());
}

async fn a_failing_upload_stream_leaves_nothing_behind<H: Harness>(h: H) {
    for len in [CHUNK_LEN * 2, PART_LEN + CHUNK_LEN] {
        let pieces: Vec<io::Result<Bytes>> = vec![
            Ok(Bytes::from(data(len))),
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "client went away",
            )),
        ];
        let err = h
            .store()
            .put(Box::pin(futures_util::stream::iter(pieces)), u64::MAX)
            .await
            .unwrap_err();
        assert!(matches!(err, BlobError::Upload(_)), "{err}");
        assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);
        assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());
    }
}

async fn keys_are_unique_and_safe_in_paths_and_urls<H: Harness>(h: H) {
    let mut keys = std::collections::HashSet::new();
    for _ in 0..50 {
        let blob = put(&h, b"x").await;
        assert_eq!(blob.key.len(), 32);
        assert!(
            blob.key
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{}",
            blob.key
        );
        assert!(keys.insert(blob.key));
    }
}

async fn bad_and_missing_keys_are_reported<H: Harness>(h: H) {
    let store = h.store();
    let missing = "0123456789abcdef0123456789abcdef";
    assert!(matches!(
        store.open(missing).await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(!store.delete(missing).await.unwrap());
    for bad in [
        "../../etc/passwd",
        "tmp",
        "",
        "0123456789abcdef0123456789abcde/",
        "0123456789ABCDEF0123456789ABCDEF",
    ] {
        assert!(
            matches!(store.open(bad).await, Err(BlobError::InvalidKey { .. })),
            "{bad}"
        );
        assert!(
            matches!(store.delete(bad).await, Err(BlobError::InvalidKey { .. })),
            "{bad}"
        );
    }
}

async fn delete_removes_the_file_once<H: Harness>(h: H) {
    let blob = put(&h, b"to be deleted").await;
    assert!(h.store().delete(&blob.key).await.unwrap());
    assert!(!h.store().delete(&blob.key).await.unwrap());
    assert!(matches!(
        h.store().open(&blob.key).await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);

    // Gone behind the store's back (restored from an old backup, say): not found.
    let blob = put(&h, b"vanishes").await;
    h.delete_raw(&blob.key).await;
    assert!(matches!(
        h.store().open(&blob.key).await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(!h.store().delete(&blob.key).await.unwrap());
}

async fn works_as_a_shared_trait_object<H: Harness>(h: H) {
    let store: Arc<dyn BlobStore> = Arc::new(h.with_key(Key::generate()));
    let task_store = Arc::clone(&store);
    let blob = tokio::spawn(async move { task_store.put(upload(b"shared", 2), 100).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .open(&blob.key)
            .await
            .unwrap()
            .read_all()
            .await
            .unwrap(),
        b"shared"
    );
}

async fn a_blob_put_but_never_recorded_is_listed_and_swept<H: Harness>(h: H) {
    // The write order: put, then commit the row. Here the process "dies" in between:
    // the put succeeded and no row was ever written. After a restart (a new store on
    // the same storage), the sweep finds the orphan with `list` and deletes it.
    let before = SystemTime::now() - Duration::from_secs(5);
    let orphan = put(&h, &data(1000)).await;
    let restarted = h.with_key(Key::generate());
    let listed = restarted.list().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].key, orphan.key);
    assert!(listed[0].modified >= before, "{listed:?}");
    assert!(listed[0].modified <= SystemTime::now() + Duration::from_secs(5));
    assert!(restarted.delete(&orphan.key).await.unwrap());
    assert!(restarted.list().await.unwrap().is_empty());
    assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);
}

async fn list_gives_every_blob_with_its_time<H: Harness>(h: H) {
    assert!(h.store().list().await.unwrap().is_empty());
    let mut want = Vec::new();
    for len in [0, 10, CHUNK_LEN + 1] {
        want.push(put(&h, &data(len)).await.key);
    }
    want.sort();
    let listed: Vec<String> = h
        .store()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(listed, want);
    assert!(h.store().delete(&want[0]).await.unwrap());
    assert_eq!(h.store().list().await.unwrap().len(), 2);
}

fn assert_corrupt(result: Result<Vec<u8>, BlobError>) {
    match result {
        Err(BlobError::Corrupt { .. }) => {}
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

async fn a_flipped_byte_is_detected_anywhere<H: Harness>(h: H) {
    let blob = put(&h, &data(2 * CHUNK_LEN + 100)).await;
    let original = h.read_raw(&blob.key).await;
    // In the first chunk (caught by open), a later chunk (caught while streaming),
    // the last chunk, and a tag.
    for at in [
        HEADER_LEN + 5,
        HEADER_LEN + SEALED_CHUNK_LEN + 7,
        HEADER_LEN + 2 * SEALED_CHUNK_LEN + 3,
        original.len() - 1,
    ] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        h.write_raw(&blob.key, &bytes).await;
        assert_corrupt(read(&h, &blob.key).await);
    }
    // A damaged first chunk is refused before any plaintext is handed out.
    let mut bytes = original.clone();
    bytes[HEADER_LEN] ^= 0x80;
    h.write_raw(&blob.key, &bytes).await;
    assert!(matches!(
        h.store().open(&blob.key).await,
        Err(BlobError::Corrupt { .. })
    ));
}

async fn truncation_is_detected<H: Harness>(h: H) {
    let blob = put(&h, &data(2 * CHUNK_LEN + 100)).await;
    let original = h.read_raw(&blob.key).await;
    let last_chunk_start = HEADER_LEN + 2 * SEALED_CHUNK_LEN;
    // Dropping the whole last chunk, cutting inside it, and cutting into the header.
    for len in [
        last_chunk_start,
        original.len() - 1,
        last_chunk_start + TAG_LEN - 1,
        HEADER_LEN,
        10,
        0,
    ] {
        h.write_raw(&blob.key, &original[..len]).await;
        assert_corrupt(read(&h, &blob.key).await);
    }
}

async fn dropping_the_empty_last_chunk_of_an_exact_multiple_is_detected<H: Harness>(h: H) {
    let blob = put(&h, &data(2 * CHUNK_LEN)).await;
    let original = h.read_raw(&blob.key).await;
    assert_eq!(original.len(), HEADER_LEN + 2 * SEALED_CHUNK_LEN + TAG_LEN);
    h.write_raw(&blob.key, &original[..original.len() - TAG_LEN])
        .await;
    assert_corrupt(read(&h, &blob.key).await);
}

async fn reordered_or_duplicated_chunks_are_detected<H: Harness>(h: H) {
    let blob = put(&h, &data(3 * CHUNK_LEN + 100)).await;
    let original = h.read_raw(&blob.key).await;
    let chunk = |i: usize| {
        let start = HEADER_LEN + i * SEALED_CHUNK_LEN;
        original[start..start + SEALED_CHUNK_LEN].to_vec()
    };
    let header = &original[..HEADER_LEN];
    let last = &original[HEADER_LEN + 3 * SEALED_CHUNK_LEN..];
    for order in [[1, 0, 2], [0, 2, 1], [0, 0, 2]] {
        let mut bytes = header.to_vec();
        for i in order {
            bytes.extend_from_slice(&chunk(i));
        }
        bytes.extend_from_slice(last);
        h.write_raw(&blob.key, &bytes).await;
        assert_corrupt(read(&h, &blob.key).await);
    }
    // A chunk moved in from another blob of the same store fails too.
    let other = put(&h, &data(3 * CHUNK_LEN + 100)).await;
    let foreign = h.read_raw(&other.key).await;
    let mut bytes = original.clone();
    bytes[HEADER_LEN + SEALED_CHUNK_LEN..HEADER_LEN + 2 * SEALED_CHUNK_LEN].copy_from_slice(
        &foreign[HEADER_LEN + SEALED_CHUNK_LEN..HEADER_LEN + 2 * SEALED_CHUNK_LEN],
    );
    h.write_raw(&blob.key, &bytes).await;
    assert_corrupt(read(&h, &blob.key).await);
}

async fn a_rotation_reencrypts_old_blobs_under_the_new_key_once<H: Harness>(h: H) {
    let (old, new) = (Key::generate(), Key::generate());
    let before = h.with_key(old.clone());
    let small = data(1000);
    let large = data(3 * CHUNK_LEN + 5);
    let a = before.put(upload(&small, 100), u64::MAX).await.unwrap();
    let b = before.put(upload(&large, 10_000), u64::MAX).await.unwrap();
    let a_raw = h.read_raw(&a.key).await;

    // During the rotation the old blobs still open, and new ones go under the new key.
    let during = h.rotated(new.clone(), old.clone());
    assert_eq!(
        during.open(&a.key).await.unwrap().read_all().await.unwrap(),
        small
    );
    let c = during
        .put(upload(b"written after", 5), u64::MAX)
        .await
        .unwrap();
    assert!(!during.open(&c.key).await.unwrap().under_previous_key());
    assert!(during.open(&a.key).await.unwrap().under_previous_key());
    for blob in [&a, &b] {
        assert!(during.reencrypt(&blob.key).await.unwrap(), "{}", blob.key);
    }
    // Once done, nothing is left to do, and a missing blob says so.
    for blob in [&a, &b, &c] {
        assert!(!during.reencrypt(&blob.key).await.unwrap(), "{}", blob.key);
    }
    assert!(matches!(
        during.reencrypt("0123456789abcdef0123456789abcdef").await,
        Err(BlobError::NotFound { .. })
    ));

    // The new key alone reads everything, unchanged; the old key reads nothing.
    let after = h.with_key(new);
    assert_eq!(
        after.open(&a.key).await.unwrap().read_all().await.unwrap(),
        small
    );
    assert_eq!(
        after.open(&b.key).await.unwrap().read_all().await.unwrap(),
        large
    );
    assert_ne!(h.read_raw(&a.key).await, a_raw);
    let err = before.open(&b.key).await.unwrap_err();
    assert!(matches!(err, BlobError::WrongKey { .. }), "{err}");
    // Only the blobs: no temporary file or extra object is left behind.
    assert!(h.unfinished().is_empty());
}

async fn a_wrong_key_is_reported_as_such<H: Harness>(h: H) {
    let blob = put(&h, &data(1000)).await;
    let other = h.with_key(Key::generate());
    let err = other.open(&blob.key).await.unwrap_err();
    assert!(matches!(err, BlobError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains("different key"));
}

async fn a_file_swapped_under_another_key_is_detected<H: Harness>(h: H) {
    let a = put(&h, b"report A evidence").await;
    let b = put(&h, b"report B evidence").await;
    let bytes = h.read_raw(&a.key).await;
    h.write_raw(&b.key, &bytes).await;
    assert_corrupt(read(&h, &b.key).await);
}

async fn the_same_content_encrypts_differently_each_time<H: Harness>(h: H) {
    let a = put(&h, &data(1000)).await;
    let b = put(&h, &data(1000)).await;
    assert_eq!(a.sha256_hex, b.sha256_hex);
    let fa = h.read_raw(&a.key).await;
    let fb = h.read_raw(&b.key).await;
    assert_ne!(fa[HEADER_LEN..], fb[HEADER_LEN..]);
}

// What only an object store has: its objects' names, its uploads, its credentials.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_objects_are_named_prefix_shard_key() {
    let h = S3Harness::new().await;
    let blob = put(&h, b"named").await;
    let want = format!("{}/{}/{}", s3_server::PREFIX, &blob.key[..2], blob.key);
    assert_eq!(h.stored().await, [want]);
    // Objects under the prefix that are not blobs of ours are not listed.
    for stray in [
        format!("{}/{}/notes.txt", s3_server::PREFIX, &blob.key[..2]),
        format!("{}/ff/{}", s3_server::PREFIX, blob.key),
        format!("elsewhere/{}/{}", &blob.key[..2], blob.key),
    ] {
        h.raw
            .put(&stray.as_str().into(), b"x".to_vec().into())
            .await
            .unwrap();
    }
    let listed: Vec<String> = h
        .store()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(listed, [blob.key]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_a_dropped_multipart_upload_is_aborted() {
    let h = S3Harness::new().await;
    // A client that sends more than a part and then stalls, until the caller gives up
    // on it and drops the `put` future, as the web server does on a timeout.
    let stalled = futures_util::stream::iter([Ok(Bytes::from(data(PART_LEN + CHUNK_LEN)))])
        .chain(futures_util::stream::pending());
    let put = h.store().put(Box::pin(stalled), u64::MAX);
    let timed_out = tokio::time::timeout(Duration::from_secs(2), put).await;
    assert!(timed_out.is_err());
    // The abort runs on a task of its own; give it a moment.
    for _ in 0..50 {
        if h.unfinished().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(h.unfinished().is_empty(), "{:?}", h.unfinished());
    assert!(h.stored().await.is_empty(), "{:?}", h.stored().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_wrong_credentials_are_reported_clearly() {
    let server = S3Server::start().await;
    let mut config = server.config();
    config.secret_access_key = "not-the-secret".into();
    let store = S3Store::new(&config, Key::generate()).unwrap();
    let err = store.check().await.unwrap_err();
    assert!(matches!(err, BlobError::ObjectStore { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("refused the credentials"), "{text}");
    assert!(text.contains("files.s3.secret_access_key"), "{text}");
    assert!(!text.contains("not-the-secret"), "{text}");
    let err = store.put(upload(b"x", 1), 10).await.unwrap_err();
    assert!(err.to_string().contains("refused the credentials"), "{err}");

    config.access_key_id = "nobody".into();
    let store = S3Store::new(&config, Key::generate()).unwrap();
    let err = store.check().await.unwrap_err();
    assert!(err.to_string().contains("refused the credentials"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_a_missing_bucket_is_reported_clearly() {
    let server = S3Server::start().await;
    let mut config = server.config();
    config.bucket = "no-such-bucket".into();
    let store = S3Store::new(&config, Key::generate()).unwrap();
    let err = store.check().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bucket does not exist"), "{text}");
    assert!(text.contains("no-such-bucket"), "{text}");
    let err = store.list().await.unwrap_err();
    assert!(err.to_string().contains("bucket does not exist"), "{err}");
    // (A put is not tried: s3s-fs makes the bucket's directory on the fly where S3
    // answers NoSuchBucket, which the same mapping turns into this message.)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_an_unreachable_endpoint_is_reported_clearly() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let server = S3Server::start().await;
    let mut config = server.config();
    config.endpoint = endpoint;
    config.max_retries = 0;
    let store = S3Store::new(&config, Key::generate()).unwrap();
    let started = std::time::Instant::now();
    let err = store.check().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("could not be reached"), "{text}");
    assert!(text.contains("files.s3.endpoint"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_an_object_replaced_while_read_fails_instead_of_mixing_versions() {
    // Reads go in ranged GETs of 8 MiB pinned to the first ETag: a blob replaced between
    // two of them must fail the read, not splice the new bytes onto the old.
    let h = S3Harness::new().await;
    let len = 2 * PART_LEN + 100;
    let blob = put(&h, &data(len)).await;
    let other = put(&h, &data(len)).await;
    let mut reader = h.store().open(&blob.key).await.unwrap();
    assert!(reader.next().await.unwrap().is_ok());
    let replacement = h.read_raw(&other.key).await;
    h.write_raw(&blob.key, &replacement).await;
    let mut outcome = Ok(());
    while let Some(chunk) = reader.next().await {
        if let Err(e) = chunk {
            outcome = Err(e);
            break;
        }
    }
    // S3 answers the pinned GET with 412 (a Read error); s3s-fs ignores If-Match on GET,
    // and then the chunks of the other blob fail authentication (Corrupt). Either way
    // the read fails; it never yields a mix.
    match outcome {
        Err(BlobError::Read { .. } | BlobError::Corrupt { .. }) => {}
        other => panic!("expected a failed read, got {other:?}"),
    }
}
