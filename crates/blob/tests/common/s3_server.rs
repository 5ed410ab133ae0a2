//! A real S3-compatible server for the tests and the benchmark: s3s-fs serving a
//! temporary directory over HTTP on a random loopback port, with SigV4 authentication
//! under a fixed test key, so `S3Store` is tested against the protocol, not a mock.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use blob::S3Config;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const ACCESS_KEY: &str = "clearinghouse-test";
pub const SECRET_KEY: &str = "clearinghouse-test-secret-key";
pub const BUCKET: &str = "evidence";
pub const PREFIX: &str = "clearinghouse/blobs";

/// The running server; stopped when dropped.
pub struct S3Server {
    pub endpoint: String,
    root: tempfile::TempDir,
    task: JoinHandle<()>,
}

impl S3Server {
    /// Starts a server whose directory holds one empty bucket, [`BUCKET`].
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap()).await
    }

    /// Starts a server on `root` (for the benchmark, to choose the disk).
    pub async fn start_in(root: tempfile::TempDir) -> Self {
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(root.path()).unwrap();
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                // As production servers do: without it, Nagle's algorithm and delayed
                // ACKs add 40 ms to every small response.
                let _ = socket.set_nodelay(true);
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = ConnBuilder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            root,
            task,
        }
    }

    /// Settings for an `S3Store` in [`BUCKET`] under [`PREFIX`].
    pub fn config(&self) -> S3Config {
        let mut config = S3Config::new(&self.endpoint, BUCKET);
        config.access_key_id = ACCESS_KEY.to_owned();
        config.secret_access_key = SECRET_KEY.to_owned();
        config.prefix = PREFIX.to_owned();
        config.allow_http = true;
        config.max_retries = 1;
        config.request_timeout = Duration::from_secs(30);
        config
    }

    /// The directory the server keeps its buckets in.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Multipart uploads started and neither completed nor aborted (s3s-fs keeps one
    /// `.upload-<id>.json` file for each, and `.upload_id-<id>.part-<n>` per part).
    pub fn pending_uploads(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.root.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".upload"))
            })
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
