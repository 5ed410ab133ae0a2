//! The records a world is made of, as written to disk: missing-child cases, public tips and
//! online ads (JSON lines), provider reports (the `cybertip` model, written as XML), and the
//! ground truth that says who and what each record is really about.
//!
//! The types deserialize too, so tests and downstream tools read the files back with them.
//! Optional fields are left out when empty, the way real feeds drop what nobody filled in.

use serde::{Deserialize, Serialize};

/// One generated record.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Case(CaseRecord),
    /// A provider report; `id` names its file (`reports/NNN/<id>.xml`, see [`crate::report_dir`]).
    Report {
        id: String,
        report: Box<cybertip::Report>,
    },
    Tip(TipRecord),
    Ad(AdRecord),
}

impl Record {
    /// The record's id (`case-…`, `report-…`, `tip-…`, `ad-…`).
    pub fn id(&self) -> &str {
        match self {
            Record::Case(c) => &c.case_id,
            Record::Report { id, .. } => id,
            Record::Tip(t) => &t.id,
            Record::Ad(a) => &a.id,
        }
    }
}

/// Why a child is missing, in NCMEC's categories. Being missing *from care* is not one of them:
/// it is the custodial situation ([`CaseRecord::missing_from_care`]), and a child who leaves a
/// foster home or group home is counted under the circumstance that applies, almost always
/// endangered runaway, as in the seeds' statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Circumstance {
    EndangeredRunaway,
    FamilyAbduction,
    NonfamilyAbduction,
    LostInjuredOtherwiseMissing,
}

/// A missing-child case (`cases.jsonl`): the child, who has custody, and every missing episode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub case_id: String,
    pub child: ChildFields,
    pub circumstance: Circumstance,
    /// The child was in the custody of a child-welfare agency (foster home or group home).
    pub missing_from_care: bool,
    pub custody: Custody,
    /// A contact number given for the child; sometimes a shelter's hotline shared by many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// Oldest first.
    pub episodes: Vec<EpisodeFields>,
}

/// The child as the case file records them (names may carry typos or be swapped).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChildFields {
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    pub sex: String,
    /// Missing in some cases, which give `age` (at the first episode) instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screen_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Who has custody of the child.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Custody {
    Guardians {
        guardians: Vec<GuardianFields>,
    },
    Agency {
        agency: String,
        /// `foster home` or `group home`.
        placement: String,
        caseworker: ContactFields,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardianFields {
    pub name: String,
    pub relation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactFields {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One time the child went missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpisodeFields {
    /// The date the child was reported missing (`YYYY-MM-DD`).
    pub reported: String,
    pub last_seen: String,
    pub last_seen_city: String,
    pub last_seen_state: String,
    pub circumstance: Circumstance,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_state: Option<String>,
}

/// A public tip from the online form (`tips.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TipRecord {
    pub id: String,
    pub submitted_at: String,
    /// The schema's incident type string, e.g. `Child Sex Trafficking`.
    pub incident_type: String,
    /// When it happened, as the reporter put it (a date, or words like "last weekend").
    pub when: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub country: String,
    pub narrative: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<TipPerson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Anonymous tips leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<ContactFields>,
}

/// A person named in a tip: the reporter fills in what they know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TipPerson {
    /// `child`, `adult` or `unknown`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screen_names: Vec<String>,
}

/// An online ad (`ads.jsonl`): the link engine's record, which every tool
/// that reads or writes ads shares. The world fills in every field.
pub use link::ads::AdRecord;

/// The ground truth of one record (`truth/records.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordTruth {
    pub record: String,
    /// `case`, `report`, `tip` or `ad`.
    pub kind: String,
    /// The true person ids the record concerns (see `truth/persons.jsonl`; ids starting `bg-`
    /// are one-off background people who appear in that record only).
    pub persons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// The kind of that network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_kind: Option<NetworkKind>,
    /// The cases of the missing children the record concerns (empty when none).
    pub missing_children: Vec<String>,
    /// The template an ad was written from (`net-…-tN`, or `benign-<category>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Phone numbers planted in the record, in E.164, however they were written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<String>,
}

/// A person of the world (`truth/persons.jsonl`), with their true name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTruth {
    pub id: String,
    /// `child`, `trafficker`, `associate`, `gang_member`, `relative`, `buyer`, `guardian`,
    /// `caseworker`, `seller` or `shelter_staff`.
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub sex: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
}

/// The four kinds of child sex trafficking described in the seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    PimpControlled,
    Familial,
    GangControlled,
    BuyerPerpetrated,
}

/// A network (`truth/networks.jsonl`): its people, where it operated, and its identifiers with
/// the time each was in use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkTruth {
    pub id: String,
    pub kind: NetworkKind,
    pub offenders: Vec<String>,
    pub victims: Vec<String>,
    pub cases: Vec<String>,
    pub states: Vec<String>,
    pub active_from: String,
    pub active_to: String,
    pub phones: Vec<IdentifierUse>,
    pub emails: Vec<String>,
    pub handles: Vec<String>,
    pub devices: Vec<String>,
    pub image_hashes: Vec<String>,
    pub templates: Vec<String>,
}

/// A phone number and when (and by whom) a network used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentifierUse {
    pub value: String,
    pub holder: String,
    pub from: String,
    pub to: String,
}

/// An identifier many unrelated records share, which must never count as a link
/// (`truth/shared_identifiers.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedIdentifier {
    /// `phone` (E.164), `ip` or `image` (an image hash).
    pub kind: String,
    pub value: String,
    pub owner: String,
}

/// Everything about the world that is not a record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorldTruth {
    pub persons: Vec<PersonTruth>,
    pub networks: Vec<NetworkTruth>,
    pub shared_identifiers: Vec<SharedIdentifier>,
}
