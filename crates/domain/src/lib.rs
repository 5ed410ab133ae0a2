//! The domain core of Clearinghouse: the vocabulary every other crate speaks.
//!
//! Architecture invariant: this crate does no IO and knows nothing of HTTP, SQL or the
//! command line. Storage, the service layer, the web server and the binary depend on it,
//! never the reverse. Values with rules (usernames, passwords, roles) are parsed once at
//! the edge into types that cannot hold an invalid value.

pub mod audit;
pub mod error;
pub mod ids;
pub mod org;
pub mod password;
pub mod policy;
pub mod record;
// Retention periods, legal holds and the purge rule (issue 25)
pub mod retention;
pub mod role;
// Requests for analytical support (issue 24)
pub mod support;
pub mod tip;
pub mod username;
pub mod workflow;

pub use error::DomainError;
pub use ids::{AlertId, CaseId, EpisodeId, JobId, OrgId, ReportId, UserId};
pub use org::OrgKind;
pub use policy::{Action, Principal};
pub use record::{RecordKind, RecordRef};
pub use role::Role;
pub use username::Username;
pub use workflow::{AssigneeFilter, CaseStatus, LeadOutcome, ReportStatus};
