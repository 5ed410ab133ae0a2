//! What every page shows around its content: who is signed in, the areas their role
//! reaches (from the policy, so the menu never offers a door that is locked), the CSRF
//! token for forms, the demo banner, and what the last action did (`flash`).

use crate::ctx::{AppState, Identity};
use domain::policy::permits;
use domain::Action;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Layout {
    pub title: String,
    pub demo: bool,
    pub csrf: String,
    pub signed_in: bool,
    /// Signed in and past the second factor: the full menu applies.
    pub complete: bool,
    pub user_name: String,
    pub role_label: String,
    pub nav: Vec<NavItem>,
    /// What the action just taken did, shown once as a notification banner
    /// ([`crate::flash`]).
    pub flash: Option<crate::flash::Flash>,
}

/// The areas of the product, in menu order, with the action that opens each. An area is
/// listed only once a user can do something there (see "Adding a capability").
pub const AREAS: &[(&str, &str, Action, &str)] = &[
    ("/", "Dashboard", Action::ViewDashboard, "Your work at a glance."),
    ("/reports", "Reports", Action::ViewReports, "Reports from the public tip form, phone intake and online service providers, with their priority and why."),
    ("/calls/new", "Record a call", Action::RecordHotlineCall, "A call to the hotline, taken as a report: the caller, what they said, the people and places; a missing child goes on to a case."),
    ("/submissions", "Your submissions", Action::ViewOwnSubmissions, "The reports your organisation sent through the CyberTipline API, with their status and dates."),
    ("/notifications", "Notifications", Action::ReadNotifications, "Records that matched your watchlist, unread first, each with the reason."),
    ("/watchlist", "Watchlist", Action::WatchRecords, "Watch a phone, email, handle, case, person or ad template, and be told when a new record links to it."),
    ("/leads", "Leads", Action::ViewLeads, "Reports made available to your agency."),
    ("/links/shared", "Link charts", Action::ViewLeads, "Link charts made available to your agency: the records linked to your leads, and how many were left out."),
    ("/support", "Analytical support", Action::ViewSupportRequests, "Requests for analytical support: law enforcement asks the hotline's analysts, who answer with a link chart made available to the agency."),
    ("/cases", "Missing-child cases", Action::ViewCases, "Children reported missing, their episodes and recoveries, and the risk flags that make a case high-priority."),
    ("/recovery", "Recovery", Action::ViewRecovery, "Recovery plans in the young person's own words: reviews due, transitions at 18, referrals to services and what came of them."),
    ("/recovery/resources", "Recovery resources", Action::ViewResources, "Services to refer a recovered child or young person to: shelter, care, legal help, school, work and mentoring, searchable by need, place, age and language."),
    ("/links", "Link analysis", Action::ViewLinkAnalysis, "Phones, emails, handles and ad texts that connect reports, cases and online ads across states."),
    ("/indicators", "Indicators", Action::ViewIndicators, "The risk factors and red flags that set each report's priority, and their versions."),
    ("/families", "Family support", Action::ViewFamilySupport, "Families of missing and exploited children: advocates' caseload with first contacts and follow-ups due, and peer volunteers matched with care."),
    ("/hope-bags", "Hope Bags", Action::ViewHopeBags, "Bags of clothes and essentials for recovered young people: stock by location and responders' requests."),
    ("/admin/users", "Users", Action::ManageUsers, "Accounts, roles, locks and second factors."),
    ("/admin/organisations", "Organisations", Action::ManageOrganisations, "The hotline, agencies, providers and partners."),
    ("/admin/audit", "Audit log", Action::ViewAuditLog, "Who saw or changed what, and when; tamper-evident."),
    ("/admin/jobs", "Background jobs", Action::ViewJobs, "Linking waiting to run, and jobs that failed with their errors."),
    // Retention (issue 25)
    ("/admin/retention", "Retention", Action::ManageLegalHolds, "How long closed records are kept, what is due for purging, and legal holds that keep a record whatever its period."),
    // Awareness and partners (issue 22)
    ("/partners", "Partners", Action::ViewPartners, "Clubs, companies and schools that run awareness events and republish missing children's posters."),
    // Training (issue 22)
    ("/training", "Training", Action::ViewTraining, "Free courses for the public, child-welfare professionals and verified law enforcement; verification requests, course files and the counts."),
    // Public statistics
    ("/statistics/internal", "Statistics", Action::ViewStatistics, "Exact counts of your organisation's cases, and the public statistics as published."),
    ("/admin/statistics", "Statistics releases", Action::ManageStatistics, "The monthly release of the public statistics: the next one, hold it, publish now, and how it counts."),
];

impl Layout {
    pub fn new(state: &AppState, identity: &Identity, title: &str, path: &str) -> Layout {
        let principal = identity.principal();
        let complete = match identity {
            Identity::Session(s) => s.is_complete(),
            Identity::Token(_) => true,
            Identity::Anonymous { .. } => false,
        };
        let nav = if complete {
            let areas: Vec<_> = AREAS
                .iter()
                .filter(|(_, _, action, _)| permits(principal, *action))
                .collect();
            // The longest area containing the path is the current one ("/recovery/resources"
            // rather than "/recovery" on a service's page).
            let within = |href: &str| {
                if href == "/" {
                    path == "/"
                } else {
                    path == href
                        || path
                            .strip_prefix(href)
                            .is_some_and(|rest| rest.starts_with('/'))
                }
            };
            let current = areas
                .iter()
                .map(|a| a.0)
                .filter(|h| within(h))
                .max_by_key(|h| h.len());
            areas
                .iter()
                .map(|(href, label, _, _)| NavItem {
                    href,
                    label,
                    current: current == Some(*href),
                })
                .collect()
        } else {
            Vec::new()
        };
        let (user_name, role_label) = match identity {
            Identity::Session(s) => (s.display_name.clone(), s.principal.role.label().to_owned()),
            Identity::Token(p) => (p.username.to_string(), p.role.label().to_owned()),
            Identity::Anonymous { .. } => (String::new(), String::new()),
        };
        Layout {
            title: title.to_owned(),
            demo: state.config.demo,
            csrf: identity.csrf().to_owned(),
            signed_in: principal.is_some(),
            complete,
            user_name,
            role_label,
            nav,
            flash: crate::flash::take(),
        }
    }
}
