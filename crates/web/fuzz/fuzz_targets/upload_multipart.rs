//! Fuzzes the provider upload handler (`POST /ispws/upload`) end to end through the real
//! router: arbitrary bytes as a multipart body from a signed-in provider account. Any
//! panic, hang or non-XML answer is a bug; every input must get a `reportResponse`.
//!
//! Run with `cargo fuzz run upload_multipart` in this directory (nightly). Seed the corpus
//! with a valid upload: `--id` part then `file` part, boundary `B`.

#![no_main]

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

struct World {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    auth: String,
    _dir: std::path::PathBuf,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let dir = std::env::temp_dir().join(format!("ch-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let router = rt.block_on(async {
            let url = format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display());
            let store = store::Store::connect(&url).await.expect("store");
            store.migrate().await.expect("migrate");
            let files = service::Files {
                store: std::sync::Arc::new(
                    blob::DirStore::new(dir.join("files"), blob::Key::generate()).expect("blob"),
                ),
                max_bytes: 1 << 20,
            };
            let services = service::Services::new(
                store,
                service::SecuritySettings::default(),
                service::Clock::system(),
                files,
                blob::Sealer::new(&blob::Key::generate()),
            );
            use service::accounts::{Actor, NewAccount};
            services
                .create_org(&Actor::Operator, "P", domain::OrgKind::Provider, None)
                .await
                .expect("org");
            services
                .create_user(
                    &Actor::Operator,
                    NewAccount {
                        org_name: "P",
                        username: "prov",
                        display_name: "P",
                        role: domain::Role::ProviderApi,
                        password: "a long fuzzing passphrase 1",
                    },
                    None,
                )
                .await
                .expect("user");
            web::router(web::AppState {
                services,
                config: web::WebConfig::default(),
            })
        });
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("prov:a long fuzzing passphrase 1")
        );
        // Report 1 exists and is open, so uploads reach the blob store, not only the checks.
        let submit = Request::post("/ispws/submit")
            .header("authorization", &auth)
            .body(Body::from(
                &include_bytes!("../../../cybertip/tests/fixtures/report_minimal.xml")[..],
            ))
            .expect("request");
        let res = rt
            .block_on(router.clone().oneshot(submit))
            .expect("infallible");
        assert_eq!(res.status(), 200);
        World {
            rt,
            router,
            auth,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let req = Request::post("/ispws/upload")
        .header("authorization", &w.auth)
        .header("content-type", "multipart/form-data; boundary=B")
        .body(Body::from(data.to_vec()))
        .expect("request");
    let res =
        w.rt.block_on(w.router.clone().oneshot(req))
            .expect("infallible");
    assert_eq!(res.status(), 200, "every upload gets an API answer");
});
