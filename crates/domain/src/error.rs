//! Errors raised when a value breaks a domain rule. Each message tells the user what was
//! wrong and what to do instead, because these messages reach forms and the CLI verbatim.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("unknown role `{0}`: use one of {list}", list = crate::role::Role::names().join(", "))]
    UnknownRole(String),
    #[error("unknown organisation kind `{0}`: use one of {list}", list = crate::org::OrgKind::names().join(", "))]
    UnknownOrgKind(String),
    #[error("a {role} must belong to {expected}, not to a {kind} organisation")]
    RoleNotAllowedInOrg {
        role: &'static str,
        kind: &'static str,
        expected: &'static str,
    },
    #[error("invalid username: {0}")]
    InvalidUsername(&'static str),
    #[error("password rejected: {0}")]
    WeakPassword(&'static str),
    #[error("organisation name must be 1 to 200 characters")]
    InvalidOrgName,
    #[error("give the reason for closing (up to {max} characters): it is kept in the audit log", max = crate::workflow::MAX_REASON)]
    ClosingReason,
}
