//! End-to-end tests of `DirStore` through the `BlobStore` interface, as the web server
//! will use it: round trips, known hashes, the size limit, cleanup of temporary files,
//! and detection of every kind of damage to a stored file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::io;
use std::path::Path;
use std::sync::Arc;

use blob::crypt::{CHUNK_LEN, HEADER_LEN, SEALED_CHUNK_LEN, TAG_LEN};
use blob::{BlobError, BlobStore, DirStore, Key, StoredBlob, UploadStream};
use bytes::Bytes;
use futures_util::StreamExt as _;

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

fn store(dir: &Path) -> DirStore {
    DirStore::new(dir, Key::generate()).unwrap()
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

async fn put(store: &DirStore, data: &[u8]) -> StoredBlob {
    store.put(upload(data, 10_000), u64::MAX).await.unwrap()
}

async fn read(store: &DirStore, key: &str) -> Result<Vec<u8>, BlobError> {
    store.open(key).await?.read_all().await
}

#[tokio::test]
async fn round_trips_edge_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
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
            let blob = store.put(upload(&content, piece), u64::MAX).await.unwrap();
            assert_eq!(blob.size, len as u64);
            assert_eq!(
                read(&store, &blob.key).await.unwrap(),
                content,
                "len {len} piece {piece}"
            );
            let on_disk = fs::metadata(store.blob_path(&blob.key).unwrap())
                .unwrap()
                .len();
            assert_eq!(on_disk, blob::crypt::sealed_len(len as u64));
        }
    }
    assert_eq!(fs::read_dir(store.temp_dir()).unwrap().count(), 0);
}

#[tokio::test]
async fn reading_streams_in_chunks_of_at_most_64_kib() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let content = data(3 * CHUNK_LEN + 5);
    let blob = put(&store, &content).await;
    let mut reader = store.open(&blob.key).await.unwrap();
    let mut sizes = Vec::new();
    while let Some(chunk) = reader.next().await {
        sizes.push(chunk.unwrap().len());
    }
    assert_eq!(sizes, [CHUNK_LEN, CHUNK_LEN, CHUNK_LEN, 5]);
}

#[tokio::test]
async fn hashes_match_known_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    // "abc" split across pieces, so hashing spans them.
    let pieces: Vec<io::Result<Bytes>> =
        vec![Ok(Bytes::from_static(b"a")), Ok(Bytes::from_static(b"bc"))];
    let blob = store
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

    let empty = put(&store, b"").await;
    assert_eq!(empty.size, 0);
    assert_eq!(empty.md5_hex, "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(empty.sha1_hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_eq!(
        empty.sha256_hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[tokio::test]
async fn the_size_limit_is_exact_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let content = data(CHUNK_LEN * 3);

    let err = store
        .put(upload(&content, 1000), content.len() as u64 - 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BlobError::TooLarge { limit } if limit == content.len() as u64 - 1),
        "{err}"
    );
    assert!(err.to_string().contains("413"));
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
    // Nothing was placed: only the temp directory exists.
    let entries: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["tmp"]);

    // One piece far over the limit is refused too.
    let err = store
        .put(upload(&content, content.len()), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { limit: 10 }), "{err}");
    assert!(files_under(dir.path()).is_empty());

    // Exactly at the limit is fine.
    let blob = store
        .put(upload(&content, 1000), content.len() as u64)
        .await
        .unwrap();
    assert_eq!(read(&store, &blob.key).await.unwrap(), content);
    assert_eq!(files_under(dir.path()).len(), 1);
}

#[tokio::test]
async fn a_failing_upload_stream_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let pieces: Vec<io::Result<Bytes>> = vec![
        Ok(Bytes::from(data(CHUNK_LEN * 2))),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ];
    let err = store
        .put(Box::pin(futures_util::stream::iter(pieces)), u64::MAX)
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::Upload(_)), "{err}");
    assert!(files_under(dir.path()).is_empty());
}

#[tokio::test]
async fn keys_are_unique_and_safe_in_paths_and_urls() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut keys = std::collections::HashSet::new();
    for _ in 0..50 {
        let blob = put(&store, b"x").await;
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

#[tokio::test]
async fn bad_and_missing_keys_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
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

#[tokio::test]
async fn delete_removes_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let blob = put(&store, b"to be deleted").await;
    assert!(store.delete(&blob.key).await.unwrap());
    assert!(!store.delete(&blob.key).await.unwrap());
    assert!(matches!(
        store.open(&blob.key).await,
        Err(BlobError::NotFound { .. })
    ));
}

#[tokio::test]
async fn works_as_a_shared_trait_object() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn BlobStore> = Arc::new(DirStore::new(dir.path(), Key::generate()).unwrap());
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

/// Stores `len` bytes and returns the store, the blob and its encrypted file's bytes.
async fn stored(dir: &Path, len: usize) -> (DirStore, StoredBlob, Vec<u8>) {
    let store = store(dir);
    let blob = put(&store, &data(len)).await;
    let bytes = fs::read(store.blob_path(&blob.key).unwrap()).unwrap();
    (store, blob, bytes)
}

fn rewrite(store: &DirStore, key: &str, bytes: &[u8]) {
    fs::write(store.blob_path(key).unwrap(), bytes).unwrap();
}

fn assert_corrupt(result: Result<Vec<u8>, BlobError>) {
    match result {
        Err(BlobError::Corrupt { .. }) => {}
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_flipped_byte_is_detected_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (store, blob, original) = stored(dir.path(), 2 * CHUNK_LEN + 100).await;
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
        rewrite(&store, &blob.key, &bytes);
        assert_corrupt(read(&store, &blob.key).await);
    }
    // A damaged first chunk is refused before any plaintext is handed out.
    let mut bytes = original.clone();
    bytes[HEADER_LEN] ^= 0x80;
    rewrite(&store, &blob.key, &bytes);
    assert!(matches!(
        store.open(&blob.key).await,
        Err(BlobError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn truncation_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (store, blob, original) = stored(dir.path(), 2 * CHUNK_LEN + 100).await;
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
        rewrite(&store, &blob.key, &original[..len]);
        assert_corrupt(read(&store, &blob.key).await);
    }
}

#[tokio::test]
async fn dropping_the_empty_last_chunk_of_an_exact_multiple_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (store, blob, original) = stored(dir.path(), 2 * CHUNK_LEN).await;
    assert_eq!(original.len(), HEADER_LEN + 2 * SEALED_CHUNK_LEN + TAG_LEN);
    rewrite(&store, &blob.key, &original[..original.len() - TAG_LEN]);
    assert_corrupt(read(&store, &blob.key).await);
}

#[tokio::test]
async fn reordered_or_duplicated_chunks_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (store, blob, original) = stored(dir.path(), 3 * CHUNK_LEN + 100).await;
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
        rewrite(&store, &blob.key, &bytes);
        assert_corrupt(read(&store, &blob.key).await);
    }
    // A chunk moved in from another blob of the same store fails too.
    let other = put(&store, &data(3 * CHUNK_LEN + 100)).await;
    let foreign = fs::read(store.blob_path(&other.key).unwrap()).unwrap();
    let mut bytes = original.clone();
    bytes[HEADER_LEN + SEALED_CHUNK_LEN..HEADER_LEN + 2 * SEALED_CHUNK_LEN].copy_from_slice(
        &foreign[HEADER_LEN + SEALED_CHUNK_LEN..HEADER_LEN + 2 * SEALED_CHUNK_LEN],
    );
    rewrite(&store, &blob.key, &bytes);
    assert_corrupt(read(&store, &blob.key).await);
}

#[tokio::test]
async fn a_wrong_key_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, blob, _) = stored(dir.path(), 1000).await;
    let other = DirStore::new(dir.path(), Key::generate()).unwrap();
    let err = other.open(&blob.key).await.unwrap_err();
    assert!(matches!(err, BlobError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains("different key"));
}

#[tokio::test]
async fn a_file_swapped_under_another_key_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let a = put(&store, b"report A evidence").await;
    let b = put(&store, b"report B evidence").await;
    fs::copy(
        store.blob_path(&a.key).unwrap(),
        store.blob_path(&b.key).unwrap(),
    )
    .unwrap();
    assert_corrupt(read(&store, &b.key).await);
}

#[tokio::test]
async fn the_same_content_encrypts_differently_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let a = put(&store, &data(1000)).await;
    let b = put(&store, &data(1000)).await;
    assert_eq!(a.sha256_hex, b.sha256_hex);
    let fa = fs::read(store.blob_path(&a.key).unwrap()).unwrap();
    let fb = fs::read(store.blob_path(&b.key).unwrap()).unwrap();
    assert_ne!(fa[HEADER_LEN..], fb[HEADER_LEN..]);
}
