//! Property test: whatever the size of a file and however its upload is split into
//! pieces, what `DirStore` reads back is what was put, with matching size and SHA-256,
//! and no temporary file is left.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;

use blob::crypt::CHUNK_LEN;
use blob::{BlobStore, DirStore, Key};
use bytes::Bytes;
use proptest::prelude::*;
use sha2::{Digest as _, Sha256};

/// Splits `data` at the given cut points (taken modulo its length).
fn split(data: &[u8], cuts: &[usize]) -> Vec<io::Result<Bytes>> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| {
            if data.is_empty() {
                0
            } else {
                c % (data.len() + 1)
            }
        })
        .collect();
    points.push(0);
    points.push(data.len());
    points.sort_unstable();
    // Duplicate cut points give empty pieces, which an upload can contain too.
    points
        .windows(2)
        .map(|w| Ok(Bytes::copy_from_slice(&data[w[0]..w[1]])))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trip_over_sizes_and_splits(
        len in prop_oneof![0..300usize, (CHUNK_LEN - 3)..(CHUNK_LEN + 3), 0..(4 * CHUNK_LEN + 10)],
        seed in any::<u8>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path(), Key::generate()).unwrap();
        let pieces = split(&data, &cuts);
        let (blob, back) = runtime.block_on(async {
            let blob = store
                .put(Box::pin(futures_util::stream::iter(pieces)), len as u64)
                .await
                .unwrap();
            let back = store.open(&blob.key).await.unwrap().read_all().await.unwrap();
            (blob, back)
        });
        prop_assert_eq!(blob.size, len as u64);
        prop_assert_eq!(blob.sha256_hex, hex::encode(Sha256::digest(&data)));
        prop_assert_eq!(back, data);
        prop_assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }
}
