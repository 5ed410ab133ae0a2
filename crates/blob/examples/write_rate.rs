//! Write and read rates of the blob stores: N objects of 64 KiB, 1 MiB and 16 MiB put
//! one after another into a `DirStore` and into an `S3Store` on an in-process s3s-fs
//! server (HTTP on loopback, SigV4, its files on the same disk), then read back.
//!
//! `cargo run --release -p blob --example write_rate [-- SCALE]`: SCALE (default 1)
//! multiplies the number of objects. The temporary directories go under `$TMPDIR`.
//! Both stores encrypt (AES-256-GCM) and hash (MD5, SHA-1, SHA-256) every byte; the S3
//! figures add HTTP, request signing (a SHA-256 of every payload) and s3s-fs's own
//! writing, so they bound what a real object store on the same machine would see. Note
//! that s3s-fs does not fsync, while `DirStore` syncs the file and three directories on
//! every put: small `DirStore` writes are bound by those syncs, the S3 ones are not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/s3_server.rs"]
mod s3_server;

use std::io;
use std::time::{Duration, Instant};

use blob::{BlobStore, DirStore, Key, S3Store, UploadStream};
use bytes::Bytes;
use futures_util::StreamExt as _;

/// The upload arrives in pieces of this size, as from a multipart request body.
const PIECE: usize = 64 * 1024;

fn upload(content: &Bytes) -> UploadStream<'static> {
    let pieces: Vec<io::Result<Bytes>> = (0..content.len())
        .step_by(PIECE)
        .map(|at| Ok(content.slice(at..(at + PIECE).min(content.len()))))
        .collect();
    Box::pin(futures_util::stream::iter(pieces))
}

fn content(len: usize) -> Bytes {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

fn rate(count: usize, len: usize, took: Duration) -> String {
    let secs = took.as_secs_f64();
    format!(
        "{:>8.1} objects/s {:>8.1} MB/s",
        count as f64 / secs,
        (count * len) as f64 / secs / 1e6
    )
}

async fn measure(name: &str, store: &dyn BlobStore, scale: usize) {
    for (label, len, count) in [
        ("64 KiB", 64 * 1024, 200),
        ("1 MiB", 1024 * 1024, 50),
        ("16 MiB", 16 * 1024 * 1024, 8),
    ] {
        let count = count * scale;
        let data = content(len);
        let started = Instant::now();
        let mut keys = Vec::with_capacity(count);
        for _ in 0..count {
            keys.push(store.put(upload(&data), u64::MAX).await.unwrap().key);
        }
        let wrote = started.elapsed();

        let started = Instant::now();
        for key in &keys {
            let mut reader = store.open(key).await.unwrap();
            let mut read = 0;
            while let Some(chunk) = reader.next().await {
                read += chunk.unwrap().len();
            }
            assert_eq!(read, len);
        }
        let read = started.elapsed();
        println!(
            "{name:<9} {label:>6} x {count:<4} write {}   read {}",
            rate(count, len, wrote),
            rate(count, len, read)
        );
        for key in &keys {
            store.delete(key).await.unwrap();
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let scale: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SCALE is a whole number"))
        .unwrap_or(1);
    println!(
        "{} cores; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );

    let dir = tempfile::tempdir().unwrap();
    let store = DirStore::new(dir.path(), Key::generate()).unwrap();
    measure("DirStore", &store, scale).await;

    let server = s3_server::S3Server::start_in(tempfile::tempdir().unwrap()).await;
    let mut config = server.config();
    config.max_retries = 3;
    let store = S3Store::new(&config, Key::generate()).unwrap();
    store.check().await.unwrap();
    measure("S3Store", &store, scale).await;
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
