//! The roles a person or API client can hold. A role decides which areas of the product a
//! user reaches; the record's own sharing state then narrows it further (see `policy`).

use crate::{DomainError, OrgKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Administrator,
    Supervisor,
    Analyst,
    Investigator,
    Caseworker,
    RecoverySpecialist,
    Volunteer,
    ProviderApi,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Administrator,
        Role::Supervisor,
        Role::Analyst,
        Role::Investigator,
        Role::Caseworker,
        Role::RecoverySpecialist,
        Role::Volunteer,
        Role::ProviderApi,
    ];

    /// The stable, lower-case hyphenated name used on the command line, in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Supervisor => "supervisor",
            Role::Analyst => "analyst",
            Role::Investigator => "investigator",
            Role::Caseworker => "caseworker",
            Role::RecoverySpecialist => "recovery-specialist",
            Role::Volunteer => "volunteer",
            Role::ProviderApi => "provider-api",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Supervisor => "Supervisor",
            Role::Analyst => "Hotline analyst",
            Role::Investigator => "Law-enforcement investigator",
            Role::Caseworker => "Child-welfare caseworker",
            Role::RecoverySpecialist => "Recovery specialist",
            Role::Volunteer => "Peer-support volunteer",
            Role::ProviderApi => "Provider API account",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|r| r.as_str()).collect()
    }

    /// Whether people in this role can see data about children, families or reports. Such
    /// roles must pass a second factor (CJIS advanced authentication) when the deployment
    /// requires it. A provider API account only ever sees its own submissions.
    pub fn sees_case_data(self) -> bool {
        !matches!(self, Role::ProviderApi)
    }

    /// The organisation kinds a member of this role may belong to. Keeping a law-enforcement
    /// role inside a law-enforcement agency is what makes "law enforcement only" enforceable.
    pub fn allowed_org_kinds(self) -> &'static [OrgKind] {
        match self {
            Role::Administrator | Role::Supervisor | Role::Analyst => &[OrgKind::Hotline],
            Role::Investigator => &[OrgKind::LawEnforcement],
            Role::Caseworker => &[OrgKind::ChildWelfare],
            Role::RecoverySpecialist => &[OrgKind::Hotline, OrgKind::ServiceProvider],
            Role::Volunteer => &[OrgKind::Hotline, OrgKind::Partner],
            Role::ProviderApi => &[OrgKind::Provider],
        }
    }

    /// Checks that a member of this role may belong to an organisation of `kind`.
    pub fn check_org(self, kind: OrgKind) -> Result<(), DomainError> {
        if self.allowed_org_kinds().contains(&kind) {
            return Ok(());
        }
        let expected = match self.allowed_org_kinds() {
            [OrgKind::Hotline] => "the hotline",
            [OrgKind::LawEnforcement] => "a law-enforcement agency",
            [OrgKind::ChildWelfare] => "a child-welfare agency",
            [OrgKind::Provider] => "an online service provider",
            [OrgKind::Hotline, OrgKind::ServiceProvider] => {
                "the hotline or a recovery service provider"
            }
            _ => "the hotline or a partner organisation",
        };
        Err(DomainError::RoleNotAllowedInOrg {
            role: self.as_str(),
            kind: kind.as_str(),
            expected,
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!(matches!(
            "Analyst".parse::<Role>(),
            Err(DomainError::UnknownRole(_))
        ));
    }

    #[test]
    fn investigators_belong_to_law_enforcement_only() {
        assert!(Role::Investigator
            .check_org(OrgKind::LawEnforcement)
            .is_ok());
        let err = Role::Investigator.check_org(OrgKind::Hotline).unwrap_err();
        assert!(err.to_string().contains("law-enforcement agency"), "{err}");
    }
}
