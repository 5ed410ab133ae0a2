//! Fresh, isolated databases for tests, on the backend the test run selects.
//!
//! With `CLEARINGHOUSE_TEST_POSTGRES_URL` set (a URL of a server where the user may create
//! databases), every test gets a new PostgreSQL database that is dropped afterwards;
//! otherwise a new SQLite file in a temporary directory. The test command runs the whole
//! suite once each way, so one suite covers both backends.

use crate::{Backend, Store};
use rand::Rng;

pub const POSTGRES_ENV: &str = "CLEARINGHOUSE_TEST_POSTGRES_URL";

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Creates an empty database (not migrated).
    pub async fn new() -> TestDb {
        sqlx::any::install_default_drivers();
        match std::env::var(POSTGRES_ENV) {
            Ok(admin) if !admin.is_empty() => {
                let name = format!("ch_test_{:016x}", rand::thread_rng().gen::<u64>());
                crate::install_tls_provider();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={admin}: cannot connect: {e}"));
                sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    backend: Backend::Postgres,
                    _dir: None,
                    pg: Some((admin, name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
                TestDb {
                    url,
                    backend: Backend::Sqlite,
                    _dir: Some(dir),
                    pg: None,
                }
            }
        }
    }

    /// A migrated store on a fresh database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url).await.expect("connect test db");
        store.migrate().await.expect("migrate test db");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside async context; a short-lived runtime on its own thread
            // avoids blocking inside the test's runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        crate::install_tls_provider();
                        if let Ok(mut c) =
                            <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                        {
                            let _ = sqlx::Executor::execute(
                                &mut c,
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
