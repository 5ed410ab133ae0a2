//! The use cases of Clearinghouse: what a person or a script can do, with the rules and
//! the audit that go with it. The web server, the API and the CLI are thin callers of this
//! crate, so a rule enforced here holds everywhere.
//!
//! Architecture invariants: no HTTP or SQL types; every change to data and its audit entry
//! commit in one transaction; every read of a record about a person is audited by the use
//! case that reads it.

// Shared by every context.
pub mod audit;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod jobs;
pub mod keys;
pub mod settings;

// One folder per context, each with its use cases.
pub mod accounts;
pub mod cases;
pub mod families;
pub mod hope_bags;
pub mod intake;
pub mod linking;
pub mod queue;
pub mod recovery;
// Retention periods, legal holds and purges (issue 25)
pub mod retention;
// Requests for analytical support (issue 24)
pub mod support;
// Awareness and partners (issue 22)
pub mod awareness;
// Training (issue 22)
pub mod training;
// Public statistics
pub mod statistics;
// Watchlists (issue 24)
pub mod watchlists;

pub use clock::Clock;
pub use error::ServiceError;
pub use settings::{SecuritySettings, SmtpSettings, SmtpTls, WatchlistSettings};

use std::sync::Arc;
use store::Store;

/// Where evidence files go, and how large one may be.
#[derive(Clone)]
pub struct Files {
    pub store: Arc<dyn blob::BlobStore>,
    pub max_bytes: u64,
}

/// Everything the use cases need, cheap to clone into each request.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub settings: SecuritySettings,
    pub clock: Clock,
    pub basic_cache: accounts::auth::BasicCache,
    pub tip_limiter: intake::tips::TipLimiter,
    pub files: Files,
    pub submit_queue: intake::batch::SubmitQueue,
    /// The triage engine with the indicator catalogue in force.
    pub engine: queue::assess::Engine,
    /// Link analysis: the person index and the cached clusters.
    pub linking: linking::Linking,
    /// Durable background work: wakes this process's worker.
    pub jobs: jobs::Jobs,
    /// The number posters of missing children tell people to call.
    pub hotline: String,
    /// Training (issue 22): also print each queued message (email verification links) in
    /// the server log. Only for the demo, which sends no mail.
    pub log_outbox: bool,
    /// Public statistics: the published release, in memory.
    pub statistics: statistics::StatsCache,
    /// Watchlists (issue 24): how long a watch lasts, and the SMTP server for e-mail.
    pub watchlists: WatchlistSettings,
    /// Seals secret columns (second-factor secrets) under the master key (issue 25).
    pub sealer: blob::Sealer,
    /// Retention (issue 25): how long closed records are kept (by default, for ever).
    pub retention: domain::retention::RetentionPolicy,
}

impl Services {
    pub fn new(
        store: Store,
        settings: SecuritySettings,
        clock: Clock,
        files: Files,
        sealer: blob::Sealer,
    ) -> Self {
        Services {
            store,
            settings,
            clock,
            basic_cache: accounts::auth::BasicCache::default(),
            tip_limiter: intake::tips::TipLimiter::default(),
            files,
            submit_queue: intake::batch::SubmitQueue::default(),
            engine: queue::assess::Engine::default(),
            linking: linking::Linking::default(),
            jobs: jobs::Jobs::default(),
            hotline: cases::DEFAULT_HOTLINE.to_owned(),
            log_outbox: false,
            statistics: statistics::StatsCache::default(),
            watchlists: WatchlistSettings::default(),
            sealer,
            retention: domain::retention::RetentionPolicy::default(),
        }
    }

    /// Who is acting and from where, for the audit log.
    pub fn now(&self) -> i64 {
        self.clock.now_micros()
    }

    /// Whether the database answers: the readiness check.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }
}

/// The client address, as the audit log records it.
pub type Ip = Option<String>;
