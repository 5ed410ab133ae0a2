//! The one authorization policy: "may this user do this action on this record?"
//!
//! Architecture invariant: every web route and API endpoint names an [`Action`], and the
//! server asks [`permits`] before running the handler; record-level checks (a report made
//! available to one agency, a child of one child-welfare agency) ask [`may_see_record`].
//! Nothing else in the code base decides access, so this file is the place to read (and
//! review) who sees what. The table is an exhaustive `match`: adding an action without
//! deciding who may take it does not compile.

use crate::{OrgId, OrgKind, Role, UserId, Username};
use serde::Serialize;

/// Who is asking: derived from a session or an API token, never from client input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: UserId,
    pub username: Username,
    pub org_id: OrgId,
    pub org_kind: OrgKind,
    pub role: Role,
}

/// Everything a route can do, named by what it means for the people involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Sign-in page, health checks, static assets, the OpenAPI document.
    ViewPublicPages,
    ViewDashboard,
    /// Own password, second factor and API tokens.
    ManageOwnAccount,
    /// The hotline's report queue (all reports received).
    ViewReports,
    /// Work a report: status, assignment, notes.
    TriageReports,
    /// Share a report with law-enforcement agencies of its jurisdiction, or a link chart
    /// (a cluster) with an agency.
    MakeAvailable,
    /// Read the indicator catalogue.
    ViewIndicators,
    /// Edit the indicator catalogue (versioned and audited).
    ManageIndicators,
    /// Leads made available to the investigator's own agency.
    ViewLeads,
    /// Act on a lead made available to the investigator's agency: acknowledge it, record
    /// its outcome, keep the agency's notes, ask the hotline a question.
    RespondToLeads,
    /// Missing-child cases (a caseworker: their own agency's; an investigator: those made
    /// available to their agency).
    ViewCases,
    /// Report a child missing (a new case, or a new episode of a known child).
    ReportMissingChild,
    /// Keep a case file up to date: record a recovery.
    UpdateCases,
    /// The hotline's review of cases: status, assignment, making a case available to
    /// law-enforcement agencies.
    ReviewCases,
    /// Dismiss a link-analysis alert on a case, with a reason.
    ManageCaseAlerts,
    /// Mark a case for publication (with the recorded consent) or withdraw it.
    PublishPoster,
    ViewLinkAnalysis,
    /// The recovery area: the caseload of recovery plans (due reviews first).
    ViewRecovery,
    /// The recovery resource directory: search services and read one.
    ViewResources,
    /// Add, edit, import and export the directory's services.
    ManageResources,
    /// The Hope Bags area: stock on hand and requests (each role sees what it may do there).
    ViewHopeBags,
    /// The family-support area: advocates' caseload and cases, a volunteer's own families
    /// (the service narrows a volunteer to the families they are matched with).
    ViewFamilySupport,
    /// Staff: the training catalogue (every course, law-enforcement ones too) and the
    /// training statistics (counts by course and month).
    ViewTraining,
    ViewStatistics,
    /// A provider's own submissions through the CyberTipline API.
    ViewOwnSubmissions,
    /// Submit, finish and retract reports through the CyberTipline-compatible API.
    SubmitProviderReports,
    /// The public tip form: anyone, with or without an account. Also a tipster's follow-up
    /// with the tip's number and secret.
    SubmitTip,
    /// Record a call to the hotline as a report (issue 24): the staff who take intake.
    RecordHotlineCall,
    /// Download a file a provider uploaded with a report (never shown inline).
    DownloadReportFiles,
    ManageUsers,
    ManageOrganisations,
    ViewAuditLog,
    /// Background jobs: how many wait, and those that failed with their errors.
    ViewJobs,
    /// Ask for a Hope Bag for a recovered young person, and follow one's own requests.
    RequestHopeBags,
    /// Keep Hope Bags stock: receive donations, build kits, transfer, adjust, count, and
    /// fulfil and deliver requests. A volunteer does it only at the locations assigned to
    /// them (the service checks the location); hotline staff at every location.
    ManageHopeBagStock,
    /// Assign volunteers to the Hope Bags locations whose stock they keep.
    AssignHopeBagKeepers,
    /// Edit the Hope Bags catalogue: items, kits and what each donation tier buys
    /// (versioned and audited).
    ManageHopeBagCatalogue,
    /// Read one recovery plan: its team, supervisors, or an investigator whose agency the
    /// young person consented to share with ([`plan_access`]).
    ViewRecoveryPlan,
    /// Open a recovery plan and keep it: goals, needs, reviews, consents, team.
    ManageRecoveryPlans,
    /// Refer a young person to a service of the directory and record each answer.
    ReferToServices,
    /// Family advocates: open and keep families' support cases, log contacts, refer,
    /// confirm a proposed peer volunteer, close with the family's survey.
    AdvocateFamilies,
    /// Peer volunteers' vetting and training records.
    ManageVolunteers,
    // Awareness and partners (issue 22)
    /// The list of partner organisations (clubs, companies, schools), their contacts,
    /// awareness events and poster-feed subscriptions.
    ViewPartners,
    /// Add and edit partner organisations and record their awareness events.
    ManagePartners,
    /// Upload and remove the publications the public page lists.
    ManagePublications,
    // Training (issue 22). Learners are not accounts of this table's roles: a learner's
    // own pages are public routes that the web layer's `Learner` extractor guards with the
    // separate learner session, and no staff route ever accepts a learner.
    /// A learner's own pages: register, sign in, take a course, their certificates.
    TakeTraining,
    /// Approve or refuse law-enforcement learners' verification requests (audited).
    VerifyLearners,
    /// Import a course file, publish a new version, read the training report.
    ManageCourses,
    // Public statistics
    /// The statistics releases: see the next scheduled one, hold it, let it go, release
    /// now, choose exact-with-suppression or differentially private counts.
    ManageStatistics,
    // Watchlists (issue 24)
    /// Keep one's own watchlist: watch an identifier (phone, email, handle), a case, a
    /// person or an ad template; renew and remove one's watches.
    WatchRecords,
    /// Read one's own notifications (records that matched a watch) and mark them read.
    ReadNotifications,
    // Analytical support (issue 24)
    /// Ask the hotline's analysts for analytical support (law enforcement).
    RequestAnalyticalSupport,
    /// Requests for analytical support: an investigator sees their agency's, the
    /// hotline's analysts and supervisors the queue of all of them.
    ViewSupportRequests,
    /// Work a request for analytical support: take it, answer it (with a link chart
    /// shared to the requester's agency), close it.
    AnswerSupportRequests,
    // Retention (issue 25)
    /// See what retention keeps and what is due, and place or release a legal hold on a
    /// report, a case or a recovery plan (with a reason, audited).
    ManageLegalHolds,
    /// Start a purge of the records past their retention period (a background job).
    PurgeRecords,
}

/// Who may take an action, before the record itself is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account of these roles.
    Roles(&'static [Role]),
}

use Role::*;

const PEOPLE: &[Role] = &[
    Administrator,
    Supervisor,
    Analyst,
    Investigator,
    Caseworker,
    RecoverySpecialist,
    Volunteer,
];
const EVERYONE_SIGNED_IN: &[Role] = &[
    Administrator,
    Supervisor,
    Analyst,
    Investigator,
    Caseworker,
    RecoverySpecialist,
    Volunteer,
    ProviderApi,
];

/// The table. Need-to-know: law-enforcement resources for law enforcement and the hotline
/// staff who prepare them; family and recovery data for the people who provide support.
pub fn access(action: Action) -> Access {
    use Access::Roles;
    match action {
        Action::ViewPublicPages | Action::SubmitTip => Access::Public,
        Action::ViewDashboard | Action::ManageOwnAccount => Roles(EVERYONE_SIGNED_IN),
        Action::ViewReports
        | Action::DownloadReportFiles
        | Action::TriageReports
        | Action::MakeAvailable
        | Action::RecordHotlineCall => Roles(&[Supervisor, Analyst]),
        Action::ViewIndicators => Roles(&[Administrator, Supervisor, Analyst, Investigator]),
        Action::ManageIndicators => Roles(&[Administrator]),
        Action::ViewLeads | Action::RespondToLeads => Roles(&[Investigator]),
        Action::ViewCases => Roles(&[Supervisor, Analyst, Caseworker, Investigator]),
        Action::ReportMissingChild | Action::UpdateCases => {
            Roles(&[Supervisor, Analyst, Caseworker])
        }
        Action::ReviewCases | Action::ManageCaseAlerts | Action::PublishPoster => {
            Roles(&[Supervisor, Analyst])
        }
        Action::ViewLinkAnalysis => Roles(&[Supervisor, Analyst, Investigator]),
        Action::ViewRecovery => Roles(&[Supervisor, RecoverySpecialist, Caseworker]),
        // Never law enforcement or volunteers: where a survivor may be referred is itself
        // sensitive.
        Action::ViewResources => {
            Roles(&[Administrator, Supervisor, RecoverySpecialist, Caseworker])
        }
        Action::ManageResources => Roles(&[Administrator, Supervisor, RecoverySpecialist]),
        Action::ViewHopeBags => Roles(&[
            Administrator,
            Supervisor,
            Analyst,
            Investigator,
            Caseworker,
            RecoverySpecialist,
            Volunteer,
        ]),
        Action::ViewFamilySupport => {
            Roles(&[Supervisor, Caseworker, RecoverySpecialist, Volunteer])
        }
        Action::ViewTraining => Roles(PEOPLE),
        // The internal statistics: exact counts of the staff's own organisation's cases.
        // Administrators run the releases instead; volunteers read the public page.
        Action::ViewStatistics => Roles(&[
            Supervisor,
            Analyst,
            Investigator,
            Caseworker,
            RecoverySpecialist,
        ]),
        Action::ViewOwnSubmissions | Action::SubmitProviderReports => Roles(&[ProviderApi]),
        Action::ManageUsers
        | Action::ManageOrganisations
        | Action::ViewAuditLog
        | Action::ViewJobs => Roles(&[Administrator]),
        // Responders ask; the hotline's staff and partner volunteers keep the stock.
        Action::RequestHopeBags => Roles(&[Investigator, Caseworker, RecoverySpecialist]),
        Action::ManageHopeBagStock => Roles(&[Administrator, Supervisor, Analyst, Volunteer]),
        Action::AssignHopeBagKeepers | Action::ManageHopeBagCatalogue => {
            Roles(&[Administrator, Supervisor])
        }
        // The plan itself decides (plan_access): investigators only with the young
        // person's consent, read-only; volunteers and administrators never.
        Action::ViewRecoveryPlan => {
            Roles(&[Supervisor, Caseworker, RecoverySpecialist, Investigator])
        }
        Action::ManageRecoveryPlans | Action::ReferToServices => {
            Roles(&[Supervisor, Caseworker, RecoverySpecialist])
        }
        // Advocates are staff; a volunteer never reaches a family's case file, only their
        // own matched families through `ViewFamilySupport`.
        Action::AdvocateFamilies => Roles(&[Supervisor, Caseworker, RecoverySpecialist]),
        Action::ManageVolunteers => Roles(&[Supervisor]),
        // Awareness and partners (issue 22): outreach is the hotline's own staff's work.
        // Analysts see who republishes posters in a state; supervisors and administrators
        // keep the partner list and the publications. Partner contacts are not about
        // children, so administrators may keep them.
        Action::ViewPartners => Roles(&[Administrator, Supervisor, Analyst]),
        Action::ManagePartners | Action::ManagePublications => Roles(&[Administrator, Supervisor]),
        // Training (issue 22): staff read the catalogue and the counts (`ViewTraining`);
        // the hotline's staff verify law-enforcement learners; supervisors keep courses.
        Action::TakeTraining => Access::Public,
        Action::VerifyLearners => Roles(&[Administrator, Supervisor, Analyst]),
        Action::ManageCourses => Roles(&[Administrator, Supervisor]),
        // Public statistics
        Action::ManageStatistics => Roles(&[Administrator]),
        // Watchlists (issue 24): the people who follow identifiers and cases through link
        // analysis. What a watch notifies is narrowed to what the watcher may see.
        Action::WatchRecords | Action::ReadNotifications => {
            Roles(&[Supervisor, Analyst, Investigator])
        }
        // Analytical support (issue 24): law enforcement asks, the hotline's analysts
        // answer. Who sees which request is the service's (an agency's own).
        Action::RequestAnalyticalSupport => Roles(&[Investigator]),
        Action::ViewSupportRequests => Roles(&[Supervisor, Analyst, Investigator]),
        Action::AnswerSupportRequests => Roles(&[Supervisor, Analyst]),
        // Retention (issue 25): a hold is a decision about the hotline's records (counsel
        // asks a supervisor or an administrator); the page names records by kind and
        // number only, so administrators, who do not read case files, may keep holds.
        // Deleting is the administrators' alone.
        Action::ManageLegalHolds => Roles(&[Administrator, Supervisor]),
        Action::PurgeRecords => Roles(&[Administrator]),
    }
}

/// May `who` (None: not signed in) take `action` at all?
pub fn permits(who: Option<&Principal>, action: Action) -> bool {
    match access(action) {
        Access::Public => true,
        Access::Roles(roles) => who.is_some_and(|p| roles.contains(&p.role)),
    }
}

/// The sharing state of one record about a person (a report, a case, a cluster).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordSharing {
    /// The organisation the record came from or belongs to (a provider's report, a
    /// child-welfare agency's child). None for records of the hotline itself.
    pub owner_org: Option<OrgId>,
    /// Law-enforcement agencies it was made available to.
    pub made_available_to: Vec<OrgId>,
}

/// May `who` see this particular record? Hotline staff see everything the hotline holds;
/// an investigator sees only what was made available to their own agency; a caseworker
/// sees their own agency's records; a provider only its own submissions.
pub fn may_see_record(who: &Principal, record: &RecordSharing) -> bool {
    match who.role {
        Supervisor | Analyst => true,
        Investigator => record.made_available_to.contains(&who.org_id),
        Caseworker | RecoverySpecialist | Volunteer | ProviderApi => {
            record.owner_org == Some(who.org_id)
        }
        // Administrators run the system; they do not read case files.
        Administrator => false,
    }
}

/// Who a recovery plan is shared with: its team, and the organisations the young person
/// consented to a share with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanSharing {
    pub team: Vec<UserId>,
    pub consented_orgs: Vec<OrgId>,
}

/// What one person may do with one recovery plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAccess {
    /// Not even that it exists.
    Nothing,
    /// An investigator whose agency the young person consented to share with: the plan
    /// without its narrative, read-only.
    Consented,
    /// A supervisor not on the team: the plan without its narrative; may change it.
    Oversight,
    /// On the plan's team: everything.
    Team,
}

impl PlanAccess {
    pub fn reads(self) -> bool {
        self != PlanAccess::Nothing
    }
    /// The young person's words, strengths and what they asked not to be shared.
    pub fn reads_narrative(self) -> bool {
        self == PlanAccess::Team
    }
    pub fn changes(self) -> bool {
        matches!(self, PlanAccess::Team | PlanAccess::Oversight)
    }
}

/// The recovery plan's own rule: recovery specialists and caseworkers of its team,
/// supervisors, and law enforcement only with the young person's consent.
pub fn plan_access(who: &Principal, plan: &PlanSharing) -> PlanAccess {
    let on_team = plan.team.contains(&who.user_id);
    match who.role {
        Supervisor if on_team => PlanAccess::Team,
        Supervisor => PlanAccess::Oversight,
        Caseworker | RecoverySpecialist if on_team => PlanAccess::Team,
        Investigator if plan.consented_orgs.contains(&who.org_id) => PlanAccess::Consented,
        _ => PlanAccess::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, org: i64) -> Principal {
        Principal {
            user_id: UserId(1),
            username: Username::parse("someone").unwrap(),
            org_id: OrgId(org),
            org_kind: role.allowed_org_kinds()[0],
            role,
        }
    }

    #[test]
    fn anonymous_sees_only_public_pages() {
        assert!(permits(None, Action::ViewPublicPages));
        assert!(!permits(None, Action::ViewDashboard));
    }

    #[test]
    fn law_enforcement_leads_are_for_law_enforcement_only() {
        assert!(permits(Some(&who(Investigator, 2)), Action::ViewLeads));
        for r in Role::ALL.into_iter().filter(|r| *r != Investigator) {
            assert!(!permits(Some(&who(r, 2)), Action::ViewLeads), "{r}");
        }
    }

    #[test]
    fn hope_bags_are_asked_for_by_responders_and_kept_by_staff_and_volunteers() {
        for r in Role::ALL {
            let p = who(r, 2);
            let asks = matches!(r, Investigator | Caseworker | RecoverySpecialist);
            let keeps = matches!(r, Administrator | Supervisor | Analyst | Volunteer);
            assert_eq!(permits(Some(&p), Action::RequestHopeBags), asks, "{r}");
            assert_eq!(permits(Some(&p), Action::ManageHopeBagStock), keeps, "{r}");
            assert_eq!(
                permits(Some(&p), Action::AssignHopeBagKeepers),
                matches!(r, Administrator | Supervisor),
                "{r}"
            );
            assert_eq!(
                permits(Some(&p), Action::ViewHopeBags),
                asks || keeps,
                "{r}"
            );
        }
    }

    #[test]
    fn law_enforcement_asks_for_analytical_support_and_the_hotlines_analysts_answer() {
        for r in Role::ALL {
            let p = who(r, 2);
            let answers = matches!(r, Supervisor | Analyst);
            assert_eq!(
                permits(Some(&p), Action::RequestAnalyticalSupport),
                r == Investigator,
                "{r}"
            );
            assert_eq!(
                permits(Some(&p), Action::AnswerSupportRequests),
                answers,
                "{r}"
            );
            assert_eq!(
                permits(Some(&p), Action::ViewSupportRequests),
                answers || r == Investigator,
                "{r}"
            );
            // Sharing a link chart is making records available.
            assert_eq!(permits(Some(&p), Action::MakeAvailable), answers, "{r}");
        }
    }

    #[test]
    fn the_directory_is_never_for_law_enforcement_or_volunteers() {
        for r in [Investigator, Volunteer, ProviderApi] {
            assert!(!permits(Some(&who(r, 2)), Action::ViewResources), "{r}");
            assert!(!permits(Some(&who(r, 2)), Action::ManageResources), "{r}");
        }
        assert!(permits(Some(&who(Caseworker, 2)), Action::ViewResources));
        assert!(!permits(Some(&who(Caseworker, 2)), Action::ManageResources));
        assert!(permits(
            Some(&who(RecoverySpecialist, 2)),
            Action::ManageResources
        ));
    }

    #[test]
    fn a_plan_is_for_its_team_supervisors_and_consented_agencies_only() {
        let mut plan = PlanSharing {
            team: vec![UserId(1)],
            consented_orgs: vec![],
        };
        assert_eq!(
            plan_access(&who(RecoverySpecialist, 2), &plan),
            PlanAccess::Team
        );
        assert_eq!(plan_access(&who(Supervisor, 2), &plan), PlanAccess::Team);
        assert_eq!(
            plan_access(&who(Investigator, 7), &plan),
            PlanAccess::Nothing
        );
        plan.consented_orgs.push(OrgId(7));
        let inv = plan_access(&who(Investigator, 7), &plan);
        assert!(inv.reads() && !inv.changes() && !inv.reads_narrative());
        plan.team.clear();
        assert_eq!(plan_access(&who(Caseworker, 2), &plan), PlanAccess::Nothing);
        assert_eq!(
            plan_access(&who(Supervisor, 2), &plan),
            PlanAccess::Oversight
        );
        for r in [Volunteer, Administrator, Analyst, ProviderApi] {
            assert_eq!(plan_access(&who(r, 7), &plan), PlanAccess::Nothing, "{r}");
            assert!(!permits(Some(&who(r, 7)), Action::ViewRecoveryPlan), "{r}");
        }
    }

    #[test]
    fn family_advocates_are_staff_and_volunteers_reach_only_the_area() {
        for r in Role::ALL {
            let advocate = matches!(r, Supervisor | Caseworker | RecoverySpecialist);
            assert_eq!(
                permits(Some(&who(r, 2)), Action::AdvocateFamilies),
                advocate,
                "{r}"
            );
            assert_eq!(
                permits(Some(&who(r, 2)), Action::ManageVolunteers),
                r == Supervisor,
                "{r}"
            );
        }
        assert!(permits(Some(&who(Volunteer, 2)), Action::ViewFamilySupport));
        assert!(!permits(
            Some(&who(Investigator, 2)),
            Action::ViewFamilySupport
        ));
    }

    #[test]
    fn learners_are_verified_by_hotline_staff_and_courses_kept_by_supervisors() {
        for r in Role::ALL {
            let p = who(r, 2);
            assert_eq!(
                permits(Some(&p), Action::VerifyLearners),
                matches!(r, Administrator | Supervisor | Analyst),
                "{r}"
            );
            assert_eq!(
                permits(Some(&p), Action::ManageCourses),
                matches!(r, Administrator | Supervisor),
                "{r}"
            );
        }
        assert!(!permits(None, Action::VerifyLearners));
        assert!(permits(None, Action::TakeTraining));
    }

    #[test]
    fn watchlists_are_for_those_who_follow_link_analysis() {
        for r in Role::ALL {
            let watcher = matches!(r, Supervisor | Analyst | Investigator);
            assert_eq!(
                permits(Some(&who(r, 2)), Action::WatchRecords),
                watcher,
                "{r}"
            );
            assert_eq!(
                permits(Some(&who(r, 2)), Action::ReadNotifications),
                watcher,
                "{r}"
            );
        }
        assert!(!permits(None, Action::WatchRecords));
    }

    #[test]
    fn holds_are_for_supervisors_and_administrators_and_purges_for_administrators() {
        for r in Role::ALL {
            let p = who(r, 2);
            assert_eq!(
                permits(Some(&p), Action::ManageLegalHolds),
                matches!(r, Administrator | Supervisor),
                "{r}"
            );
            assert_eq!(
                permits(Some(&p), Action::PurgeRecords),
                r == Administrator,
                "{r}"
            );
        }
        assert!(!permits(None, Action::ManageLegalHolds));
    }

    #[test]
    fn investigator_sees_only_what_was_made_available_to_their_agency() {
        let rec = RecordSharing {
            owner_org: None,
            made_available_to: vec![OrgId(7)],
        };
        assert!(may_see_record(&who(Investigator, 7), &rec));
        assert!(!may_see_record(&who(Investigator, 8), &rec));
        assert!(may_see_record(&who(Analyst, 1), &rec));
        assert!(!may_see_record(&who(Administrator, 1), &rec));
    }
}
