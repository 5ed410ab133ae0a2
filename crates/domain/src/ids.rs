//! Typed identifiers, so that a user id can never be passed where an organisation id is
//! meant, nor an alert's id where a case's is.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An account of a person or of a provider's API client.
    UserId
);
id_type!(
    /// An organisation: the hotline itself, an agency, a provider or a partner.
    OrgId
);
id_type!(
    /// A provider's CyberTipline report or a public tip.
    ReportId
);
id_type!(
    /// A missing-child case.
    CaseId
);
id_type!(
    /// An alert on a case: a record that carries something of the case's.
    AlertId
);
id_type!(
    /// One missing episode of a case.
    EpisodeId
);
id_type!(
    /// A background job.
    JobId
);
