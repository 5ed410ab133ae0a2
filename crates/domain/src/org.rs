//! Kinds of organisation that take part in the clearinghouse's work.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// The hotline or clearinghouse running this deployment.
    Hotline,
    LawEnforcement,
    ChildWelfare,
    /// An online service provider that submits reports through the CyberTipline API.
    Provider,
    /// A recovery or victim-service provider.
    ServiceProvider,
    /// A partner nonprofit, club or volunteer organisation.
    Partner,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Hotline,
        OrgKind::LawEnforcement,
        OrgKind::ChildWelfare,
        OrgKind::Provider,
        OrgKind::ServiceProvider,
        OrgKind::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Hotline => "hotline",
            OrgKind::LawEnforcement => "law-enforcement",
            OrgKind::ChildWelfare => "child-welfare",
            OrgKind::Provider => "provider",
            OrgKind::ServiceProvider => "service-provider",
            OrgKind::Partner => "partner",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Hotline => "Hotline / clearinghouse",
            OrgKind::LawEnforcement => "Law-enforcement agency",
            OrgKind::ChildWelfare => "Child-welfare agency",
            OrgKind::Provider => "Online service provider",
            OrgKind::ServiceProvider => "Service / recovery provider",
            OrgKind::Partner => "Partner nonprofit",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.as_str()).collect()
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrgKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::UnknownOrgKind(s.to_owned()))
    }
}

/// Validates an organisation's display name.
pub fn parse_org_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(DomainError::InvalidOrgName);
    }
    Ok(name.to_owned())
}
