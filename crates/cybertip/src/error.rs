//! Errors of parsing and validation, and the CyberTipline API's response codes.
//!
//! The error enum keeps the two faults a client can make apart: a document that is not
//! acceptable XML at all (malformed, refused or too big: code 4110) and a well-formed document
//! that breaks the schema (code 4100). Mapping codes to HTTP statuses is the web layer's job.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a document was not accepted. The first problem found is reported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are not UTF-8 (the only encoding accepted).
    #[error("malformed XML: invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: u64,
    },
    /// The document is not well-formed XML.
    #[error("malformed XML at byte {offset}: {message}")]
    Malformed {
        /// Byte offset where the problem was noticed.
        offset: u64,
        /// What was wrong.
        message: String,
    },
    /// The document uses an XML feature that is refused for safety: a DTD (`<!DOCTYPE`, hence
    /// any entity declaration), a processing instruction, or an entity other than the five
    /// predefined ones.
    #[error("refused at byte {offset}: {message}")]
    Refused {
        /// Byte offset of the refused construct.
        offset: u64,
        /// What was refused and why.
        message: String,
    },
    /// The document exceeds one of the [`Limits`](crate::Limits).
    #[error("document too large: {message}")]
    LimitExceeded {
        /// Which limit, and its value.
        message: String,
    },
    /// The document is well-formed but does not follow the schema.
    #[error("invalid at {path}: {message}")]
    Invalid {
        /// Where, as an element path such as `/report/incidentSummary/incidentType`; a repeated
        /// element carries its 1-based position (`/report/victim[2]`), an attribute `/@name`.
        path: String,
        /// What was found and what was expected.
        message: String,
    },
}

impl Error {
    /// The CyberTipline response code for this error.
    pub fn code(&self) -> ResponseCode {
        match self {
            Error::Invalid { .. } => ResponseCode::ValidationFailed,
            Error::InvalidUtf8 { .. }
            | Error::Malformed { .. }
            | Error::Refused { .. }
            | Error::LimitExceeded { .. } => ResponseCode::MalformedXml,
        }
    }

    /// The element path of a validation error; `None` for malformed documents.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The human-readable detail, without the path or offset.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidUtf8 { .. } => "invalid UTF-8".to_owned(),
            Error::Malformed { message, .. }
            | Error::Refused { message, .. }
            | Error::LimitExceeded { message }
            | Error::Invalid { message, .. } => message.clone(),
        }
    }

    pub(crate) fn invalid(path: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// A CyberTipline API response code (`reportResponse/responseCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum ResponseCode {
    /// 0: success.
    Success,
    /// 1000: server error.
    ServerError,
    /// 1100: save failed.
    SaveFailed,
    /// 1110: upload failed.
    UploadFailed,
    /// 1111: file upload failed.
    FileUploadFailed,
    /// 1210: resource not found.
    ResourceNotFound,
    /// 1300: update failed.
    UpdateFailed,
    /// 2000: authentication required.
    AuthenticationRequired,
    /// 3000: not authorized for this action.
    NotAuthorizedForAction,
    /// 3100: not authorized to submit.
    NotAuthorizedToSubmit,
    /// 3300: not authorized to update.
    NotAuthorizedToUpdate,
    /// 4000: invalid request.
    InvalidRequest,
    /// 4100: validation failed.
    ValidationFailed,
    /// 4110: malformed XML.
    MalformedXml,
    /// 4200: malformed file submittal.
    MalformedFileSubmittal,
    /// 5001: report does not exist.
    ReportDoesNotExist,
    /// 5002: file does not exist.
    FileDoesNotExist,
    /// 5101: report already retracted.
    ReportAlreadyRetracted,
    /// 5102: report already finished.
    ReportAlreadyFinished,
}

impl ResponseCode {
    /// Every code, in numeric order.
    pub const ALL: &'static [ResponseCode] = &[
        ResponseCode::Success,
        ResponseCode::ServerError,
        ResponseCode::SaveFailed,
        ResponseCode::UploadFailed,
        ResponseCode::FileUploadFailed,
        ResponseCode::ResourceNotFound,
        ResponseCode::UpdateFailed,
        ResponseCode::AuthenticationRequired,
        ResponseCode::NotAuthorizedForAction,
        ResponseCode::NotAuthorizedToSubmit,
        ResponseCode::NotAuthorizedToUpdate,
        ResponseCode::InvalidRequest,
        ResponseCode::ValidationFailed,
        ResponseCode::MalformedXml,
        ResponseCode::MalformedFileSubmittal,
        ResponseCode::ReportDoesNotExist,
        ResponseCode::FileDoesNotExist,
        ResponseCode::ReportAlreadyRetracted,
        ResponseCode::ReportAlreadyFinished,
    ];

    /// The number sent on the wire.
    pub fn as_u32(self) -> u32 {
        match self {
            ResponseCode::Success => 0,
            ResponseCode::ServerError => 1000,
            ResponseCode::SaveFailed => 1100,
            ResponseCode::UploadFailed => 1110,
            ResponseCode::FileUploadFailed => 1111,
            ResponseCode::ResourceNotFound => 1210,
            ResponseCode::UpdateFailed => 1300,
            ResponseCode::AuthenticationRequired => 2000,
            ResponseCode::NotAuthorizedForAction => 3000,
            ResponseCode::NotAuthorizedToSubmit => 3100,
            ResponseCode::NotAuthorizedToUpdate => 3300,
            ResponseCode::InvalidRequest => 4000,
            ResponseCode::ValidationFailed => 4100,
            ResponseCode::MalformedXml => 4110,
            ResponseCode::MalformedFileSubmittal => 4200,
            ResponseCode::ReportDoesNotExist => 5001,
            ResponseCode::FileDoesNotExist => 5002,
            ResponseCode::ReportAlreadyRetracted => 5101,
            ResponseCode::ReportAlreadyFinished => 5102,
        }
    }

    /// The code with this number, if it is one of the API's.
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_u32() == n)
    }

    /// The standard meaning of the code.
    pub fn description(self) -> &'static str {
        match self {
            ResponseCode::Success => "success",
            ResponseCode::ServerError => "server error",
            ResponseCode::SaveFailed => "save failed",
            ResponseCode::UploadFailed => "upload failed",
            ResponseCode::FileUploadFailed => "file upload failed",
            ResponseCode::ResourceNotFound => "resource not found",
            ResponseCode::UpdateFailed => "update failed",
            ResponseCode::AuthenticationRequired => "authentication required",
            ResponseCode::NotAuthorizedForAction => "not authorized for this action",
            ResponseCode::NotAuthorizedToSubmit => "not authorized to submit",
            ResponseCode::NotAuthorizedToUpdate => "not authorized to update",
            ResponseCode::InvalidRequest => "invalid request",
            ResponseCode::ValidationFailed => "validation failed",
            ResponseCode::MalformedXml => "malformed XML",
            ResponseCode::MalformedFileSubmittal => "malformed file submittal",
            ResponseCode::ReportDoesNotExist => "report does not exist",
            ResponseCode::FileDoesNotExist => "file does not exist",
            ResponseCode::ReportAlreadyRetracted => "report already retracted",
            ResponseCode::ReportAlreadyFinished => "report already finished",
        }
    }

    /// Whether this is the success code.
    pub fn is_success(self) -> bool {
        self == ResponseCode::Success
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.as_u32(), self.description())
    }
}

impl TryFrom<u32> for ResponseCode {
    type Error = String;
    fn try_from(n: u32) -> Result<Self, String> {
        ResponseCode::from_u32(n).ok_or_else(|| format!("unknown response code {n}"))
    }
}

impl From<ResponseCode> for u32 {
    fn from(c: ResponseCode) -> u32 {
        c.as_u32()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ResponseCode::ALL {
            assert!(seen.insert(c.as_u32()));
            assert_eq!(ResponseCode::from_u32(c.as_u32()), Some(*c));
        }
        assert_eq!(ResponseCode::from_u32(4111), None);
        assert_eq!(
            ResponseCode::MalformedXml.to_string(),
            "4110 (malformed XML)"
        );
    }

    #[test]
    fn errors_map_to_codes() {
        let e = Error::invalid("/report", "x");
        assert_eq!(e.code(), ResponseCode::ValidationFailed);
        assert_eq!(e.path(), Some("/report"));
        let e = Error::InvalidUtf8 { offset: 3 };
        assert_eq!(e.code(), ResponseCode::MalformedXml);
        assert_eq!(e.path(), None);
    }
}
