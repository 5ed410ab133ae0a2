//! What can go wrong in a use case, split between the user's doing (with a message that
//! says what to do) and ours (logged with its cause, shown as a generic failure).

use thiserror::Error;

/// What a refused sign-in says, whatever the reason.
const SIGN_IN_REFUSED: &str = "the username or password is not correct, or the account is locked after too many failed attempts; check them and try again; a locked account unlocks by itself after a while, or an administrator can unlock it";

#[derive(Debug, Error)]
pub enum ServiceError {
    /// Wrong username or password. Deliberately does not say which, nor whether the
    /// account is locked: [`Locked`](Self::Locked) reads the same, so that the answer
    /// reveals no account.
    #[error("{SIGN_IN_REFUSED}")]
    InvalidCredentials,
    /// Too many failed attempts: the account unlocks after `lockout_minutes`, or sooner
    /// when an administrator unlocks it.
    #[error("{SIGN_IN_REFUSED}")]
    Locked,
    #[error("the code is not correct or was already used; wait for the next code and try again")]
    InvalidCode,
    #[error("you are not allowed to do this")]
    Forbidden,
    /// Not allowed for this record, with the reason and what to do (shown as a 403): a
    /// volunteer acting on a Hope Bags location not assigned to them.
    #[error("{0}")]
    ForbiddenHere(String),
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// Input that breaks a rule; the message is for the user.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<store::StoreError> for ServiceError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Conflict(what) => {
                ServiceError::Conflict(format!("{what} already exists"))
            }
            store::StoreError::NotFound => ServiceError::NotFound("the record"),
            other => ServiceError::Internal(Box::new(other)),
        }
    }
}

impl From<domain::DomainError> for ServiceError {
    fn from(e: domain::DomainError) -> Self {
        ServiceError::Invalid(e.to_string())
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
