//! `clearinghouse demo`: a populated product in under a minute, on a fresh SQLite data
//! directory, with one account per role and the second factor off (said on every page).

use crate::config::{Config, ConfigArgs};
use anyhow::{Context, Result};
use domain::{OrgKind, Role};
use service::accounts::{Actor, NewAccount};
use service::Services;

/// One password for every demo account: the data is synthetic and the server local.
pub const DEMO_PASSWORD: &str = "clearinghouse-demo-2026";

const ORGS: &[(&str, OrgKind)] = &[
    ("Demo Hotline", OrgKind::Hotline),
    ("Demo City Police Department", OrgKind::LawEnforcement),
    ("Demo State Task Force", OrgKind::LawEnforcement),
    ("Demo County Child Welfare", OrgKind::ChildWelfare),
    ("Demo Online Service", OrgKind::Provider),
    ("Demo Recovery Services", OrgKind::ServiceProvider),
    ("Demo Partner Club", OrgKind::Partner),
];

fn demo_user(role: Role) -> (&'static str, &'static str, &'static str) {
    // (username, display name, organisation)
    match role {
        Role::Administrator => ("admin", "Avery Admin", "Demo Hotline"),
        Role::Supervisor => ("supervisor", "Sam Supervisor", "Demo Hotline"),
        Role::Analyst => ("analyst", "Alex Analyst", "Demo Hotline"),
        Role::Investigator => (
            "investigator",
            "Ivy Investigator",
            "Demo City Police Department",
        ),
        Role::Caseworker => (
            "caseworker",
            "Casey Caseworker",
            "Demo County Child Welfare",
        ),
        Role::RecoverySpecialist => ("recovery", "Riley Recovery", "Demo Recovery Services"),
        Role::Volunteer => ("volunteer", "Val Volunteer", "Demo Partner Club"),
        Role::ProviderApi => ("provider", "Demo Online Service API", "Demo Online Service"),
    }
}

/// The demo's configuration: a new data directory unless one is given, no second factor,
/// cookies that work over plain HTTP on localhost.
pub fn config(args: &ConfigArgs, listen: Option<String>) -> Result<Config> {
    let mut base = Config::default();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    base.data_dir = std::env::temp_dir().join(format!("clearinghouse-demo-{stamp}"));
    base.secure_cookies = false;
    base.security.require_second_factor = false;
    let mut config = Config::load_over(args, listen, base)?;
    // Whatever the file says, a demo never asks for a second factor: it says so instead.
    config.security.require_second_factor = false;
    config.secure_cookies = false;
    Ok(config)
}

/// The demo world: small enough to generate and load in seconds, large enough to show
/// networks, repeat runaways and linked ads.
const WORLD_SEED: u64 = 2026;
const WORLD_SCALE: u64 = 3_000;
/// Services in the demo's recovery resource directory.
const DEMO_RESOURCES: usize = 200;

/// Creates the demo organisations and accounts and loads a small synthetic world through
/// the same import path as `clearinghouse import`, unless the data directory has them.
pub async fn populate(services: &Services, config: &Config) -> Result<()> {
    if !services.is_empty().await? {
        return Ok(());
    }
    for (name, kind) in ORGS {
        services
            .create_org(&Actor::Operator, name, *kind, None)
            .await?;
    }
    for role in Role::ALL {
        let (username, display_name, org_name) = demo_user(role);
        services
            .create_user(
                &Actor::Operator,
                NewAccount {
                    org_name,
                    username,
                    display_name,
                    role,
                    password: DEMO_PASSWORD,
                },
                None,
            )
            .await?;
    }
    let dir = config.data_dir.join("demo-world");
    if !dir.join("manifest.json").exists() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        eprintln!("Generating a synthetic world of {WORLD_SCALE} records…");
        crate::world::synth(&crate::world::SynthArgs {
            seed: WORLD_SEED,
            scale: WORLD_SCALE,
            out: dir.clone(),
        })?;
    }
    eprintln!("Loading it…");
    let outcome = crate::world::import(services, "demo", &[dir]).await?;
    crate::world::report(&outcome)?;
    let resources = services
        .import_resources_as_operator(&synth::resources::package(WORLD_SEED, DEMO_RESOURCES))
        .await?;
    eprintln!("Recovery resources: {resources}.");
    share_demo_leads(services).await?;
    seed_hope_bags(services).await?;
    seed_recovery_plans(services).await?;
    seed_families(services).await?;
    // Awareness and partners (issue 22)
    seed_awareness(services).await?;
    // Training (issue 22)
    seed_training(services).await
}

/// Gives the demo's agencies jurisdictions and makes the most urgent California reports
/// available to the city police, so the investigator's leads are not empty.
async fn share_demo_leads(services: &Services) -> Result<()> {
    let orgs = services.orgs(&Actor::Operator).await?;
    let org = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id);
    let (Some(city), Some(state)) = (
        org("Demo City Police Department"),
        org("Demo State Task Force"),
    ) else {
        return Ok(());
    };
    services
        .set_agency_jurisdiction(&Actor::Operator, city, "CA", None)
        .await?;
    services
        .set_agency_jurisdiction(&Actor::Operator, state, "TX, FL, OH, NY", None)
        .await?;
    let supervisor = services
        .user_by_username(&Actor::Operator, demo_user(Role::Supervisor).0)
        .await?;
    let who = supervisor.principal();
    let filter = service::queue::QueueQuery {
        state: Some("CA".into()),
        ..Default::default()
    };
    let page = services.queue(&who, &filter, 1, 5).await?;
    for r in page.items {
        services
            .make_available(&who, domain::ReportId(r.id), &[city], false, None)
            .await?;
    }
    Ok(())
}

/// Hope Bags: three locations set up by the hotline's supervisor, the partner's store room
/// kept by the demo volunteer; stock (one location's built from donated items, one low), a
/// transfer, a count that found a difference and an adjustment; donations of money (one
/// spent on what its tier buys), and a few responders' requests, one already fulfilled by
/// the volunteer from their store room.
async fn seed_hope_bags(services: &Services) -> Result<()> {
    use service::hope_bags::{NewLocationForm, RequestForm};
    let person = |role| async move {
        services
            .user_by_username(&Actor::Operator, demo_user(role).0)
            .await
            .map(|u| u.principal())
    };
    let keeper = person(Role::Supervisor).await?;
    let volunteer = person(Role::Volunteer).await?;
    let officer = person(Role::Investigator).await?;
    let caseworker = person(Role::Caseworker).await?;
    let mut at = Vec::new();
    for (name, state, kind, low) in [
        ("Demo Hotline office", "CA", "office", 3),
        ("Demo Partner Club store room", "TX", "partner", 2),
        ("Demo State Task Force van", "TX", "vehicle", 1),
    ] {
        let form = NewLocationForm {
            name: name.into(),
            state: state.into(),
            kind: kind.into(),
            low_stock: low,
        };
        at.push(services.add_hope_location(&keeper, &form, None).await?);
    }
    services
        .assign_hope_keeper(&keeper, at[1], volunteer.user_id, None)
        .await?;
    let cat = services.hope_catalogue().await?;
    // Items for six bags at the office, built into five; bags donated ready-made elsewhere.
    if let Some(kit) = cat.kits.iter().find(|k| k.code.as_str() == "bag-12-14-m") {
        for line in &kit.bill {
            let qty = i64::from(line.qty) * 6;
            services
                .receive_hope_donation(
                    &keeper,
                    at[0],
                    line.item.as_str(),
                    qty,
                    "Demo spring drive",
                    None,
                )
                .await?;
        }
        services
            .build_hope_kits(&keeper, at[0], kit.code.as_str(), 5, None)
            .await?;
    }
    for (loc, code, qty) in [
        (1, "bag-15-17-l", 4),
        (1, "bag-6-11-s", 3),
        (2, "bag-12-14-s", 1),
    ] {
        if cat.kits.iter().any(|k| k.code.as_str() == code) {
            let by = if loc == 1 { &volunteer } else { &keeper };
            services
                .receive_hope_donation(by, at[loc], code, qty, "Demo Partner Club members", None)
                .await?;
        }
    }
    // One bag goes from the office to the van; a count at the office finds a journal
    // missing; a damaged outfit is taken out with its reason.
    services
        .transfer_hope_stock(&keeper, at[0], at[2], "bag-12-14-m", 1, None)
        .await?;
    let journals = services
        .hope_locations(&keeper)
        .await?
        .into_iter()
        .find(|l| l.id == at[0])
        .and_then(|l| l.stock.into_iter().find(|s| s.code == "journal"))
        .map_or(0, |s| s.on_hand);
    if journals > 0 {
        services
            .count_hope_location(&keeper, at[0], &[("journal".into(), journals - 1)], None)
            .await?;
    }
    services
        .adjust_hope_stock(&keeper, at[0], "outfit-m", -1, "Damaged in storage", None)
        .await?;
    for (cents, donor, receipt, on, spent) in [
        (5500, "A demo donor", "DEMO-0001", "2026-10-14", false),
        (
            1500,
            "Demo school fundraiser",
            "DEMO-0002",
            "2026-11-20",
            false,
        ),
        (
            1000,
            "Demo church collection",
            "DEMO-0003",
            "2026-11-27",
            true,
        ),
        (2500, "A demo donor", "DEMO-0004", "2026-12-01", false),
    ] {
        if cat.tier(cents).is_some() {
            let bought_at = spent.then_some(at[1]);
            let by = if spent { &volunteer } else { &keeper };
            services
                .record_hope_money_for(by, cents.into(), donor, receipt, on, bought_at, None)
                .await?;
        }
    }
    let ask = |band: &str, size: &str, urgency: &str, to: &str, state: &str| RequestForm {
        age_band: band.into(),
        size: size.into(),
        urgency: urgency.into(),
        deliver_to: to.into(),
        deliver_state: state.into(),
        ..RequestForm::default()
    };
    let first = services
        .request_hope_bag(
            &officer,
            &ask("15-17", "L", "today", "Demo City PD, front desk", "TX"),
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo Hope Bags request: {e:?}"))?;
    services
        .request_hope_bag(
            &officer,
            &ask(
                "12-14",
                "M",
                "now",
                "Demo County Hospital, emergency department",
                "CA",
            ),
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo Hope Bags request: {e:?}"))?;
    services
        .request_hope_bag(
            &caseworker,
            &ask(
                "6-11",
                "S",
                "this_week",
                "Demo County Child Welfare office",
                "TX",
            ),
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo Hope Bags request: {e:?}"))?;
    services
        .fulfil_hope_request(&volunteer, first, None, None, None)
        .await?;
    Ok(())
}

/// Recovery plans: the recovery specialist's caseload (one review overdue, some
/// transitions at 18 near), a few shared with the demo caseworker, referrals at every
/// stage, and one plan the young person agreed to share with the city police.
async fn seed_recovery_plans(services: &Services) -> Result<()> {
    use service::recovery::plans::PlanLinks;
    let person = |role| async move {
        services
            .user_by_username(&Actor::Operator, demo_user(role).0)
            .await
            .map(|u| u.principal())
    };
    let specialist = person(Role::RecoverySpecialist).await?;
    let caseworker = person(Role::Caseworker).await?;
    let directory = services.referral_services(&specialist).await?;
    let today = services.today();
    let police = services
        .orgs(&Actor::Operator)
        .await?
        .into_iter()
        .find(|o| o.name == "Demo City Police Department")
        .map(|o| o.id);
    for (i, p) in synth::plans::plans(WORLD_SEED, 8, today, directory.len())
        .into_iter()
        .enumerate()
    {
        let fields = p
            .form
            .check(today)
            .map_err(|e| anyhow::anyhow!("a generated plan is not valid: {e:?}"))?;
        let id = services
            .open_plan(&specialist, &fields, PlanLinks::default(), None)
            .await?;
        if i % 3 == 0 {
            services
                .add_team_member(&specialist, id, caseworker.user_id, None)
                .await?;
        }
        for g in &p.goals {
            services.add_goal(&specialist, id, g, None).await?;
        }
        if let (1, Some(org)) = (i, police) {
            services
                .record_consent(
                    &specialist,
                    id,
                    "",
                    Some(org),
                    "that a plan exists, its needs and its referrals",
                    &recovery::model::format_date(today),
                    None,
                )
                .await?;
        }
        for r in &p.referrals {
            let Some((service, _)) = directory.get(r.service_index) else {
                continue;
            };
            let rid = services
                .create_referral(&specialist, id, *service, r.need, &r.shared, None)
                .await?;
            for (to, why) in &r.moves {
                let outcome = r.outcome.as_deref().unwrap_or("");
                services
                    .move_referral(&specialist, rid, *to, why, outcome, None)
                    .await?;
            }
        }
        // The last plan's work is done: it shows under "Closed plans".
        if i == 7 {
            services
                .close_plan(
                    &specialist,
                    id,
                    recovery::ClosingReason::GoalsMet.code(),
                    "Settled in her own flat; no further support wanted for now",
                    None,
                )
                .await?;
        }
    }
    eprintln!("Recovery plans: 8, one with its review overdue, one closed.");
    Ok(())
}

/// Family support: peer volunteers with their records (some lapsed), a caseload for the
/// caseworker and the recovery specialist with first contacts made, due and overdue, the
/// `volunteer` account matched with one family, and one case closed with its survey.
async fn seed_families(services: &Services) -> Result<()> {
    use service::families::model::model::{Experience, Slot};
    use service::families::NewFamilyCase;
    let person = |role| async move {
        services
            .user_by_username(&Actor::Operator, demo_user(role).0)
            .await
            .map(|u| u.principal())
    };
    let supervisor = person(Role::Supervisor).await?;
    let caseworker = person(Role::Caseworker).await?;
    let recovery = person(Role::RecoverySpecialist).await?;
    let val = person(Role::Volunteer).await?;
    let today = services.today();
    for (username, name, profile) in synth::families::volunteers(WORLD_SEED, 12, today) {
        services
            .create_user(
                &Actor::Operator,
                NewAccount {
                    org_name: demo_user(Role::Volunteer).2,
                    username: &username,
                    display_name: &name,
                    role: Role::Volunteer,
                    password: DEMO_PASSWORD,
                },
                None,
            )
            .await?;
        let id = services
            .user_by_username(&Actor::Operator, &username)
            .await?
            .principal()
            .user_id;
        let trainings = profile.trainings.clone();
        services
            .save_volunteer(&supervisor, id.0, profile, None)
            .await?;
        for t in trainings {
            services.add_training(&supervisor, id.0, t, None).await?;
        }
    }
    let mut families = synth::families::families(WORLD_SEED, 10);
    // The demo volunteer lived through a runaway case, speaks Spanish and helps in the
    // evenings, as does the first family: the matcher proposes them first.
    if let Some(f) = families.first_mut() {
        f.experience = Experience::Runaway;
        f.language = "Spanish".into();
        f.times = vec![Slot::WeekdayEvenings];
    }
    let mut vp = synth::families::volunteers(WORLD_SEED + 1, 1, today)
        .pop()
        .map(|v| v.2)
        .unwrap_or_default();
    vp.experiences = vec![Experience::Runaway];
    vp.languages = vec!["English".into(), "Spanish".into()];
    vp.availability = vec![Slot::WeekdayEvenings];
    vp.time_zone = families
        .first()
        .map(|f| f.time_zone.clone())
        .unwrap_or_default();
    vp.vetting = vp.vetting.map(|v| service::families::model::Vetting {
        result: service::families::model::CheckResult::Passed,
        ..v
    });
    for t in &mut vp.trainings {
        t.renewal_due = today + time::Duration::days(200);
    }
    let trainings = std::mem::take(&mut vp.trainings);
    services
        .save_volunteer(&supervisor, val.user_id.0, vp, None)
        .await?;
    for t in trainings {
        services
            .add_training(&supervisor, val.user_id.0, t, None)
            .await?;
    }
    let mut ids = Vec::new();
    for (i, f) in families.into_iter().enumerate() {
        let who = if i % 3 == 2 { &recovery } else { &caseworker };
        let id = services
            .open_family(
                who,
                NewFamilyCase {
                    profile: f,
                    case_id: None,
                    report_id: None,
                },
                None,
            )
            .await?;
        ids.push((id, who));
    }
    use service::families::model::form::ContactForm;
    for (n, (id, who)) in ids.iter().enumerate() {
        if n % 2 == 1 {
            continue;
        }
        let entry = ContactForm {
            kind: "call".into(),
            with_whom: "The contact person".into(),
            summary: "First call: listened, explained what happens next.".into(),
            next_step: "Call again".into(),
            next_due: ymd(today + time::Duration::days(n as i64 % 4)),
            ..ContactForm::default()
        }
        .check(services.now())
        .map_err(|e| anyhow::anyhow!("demo contact: {e}"))?;
        services.log_contact(who, *id, entry, None).await?;
    }
    if let Some((first, who)) = ids.first() {
        services
            .confirm_match(who, *first, val.user_id.0, None)
            .await?;
    }
    if let Some((last, who)) = ids.last() {
        services
            .close_family(
                who,
                *last,
                service::families::model::CloseReason::ChildHome,
                Some(5),
                None,
            )
            .await?;
    }
    Ok(())
}

// Awareness and partners (issue 22)
/// Awareness: posters of every currently missing child published with consent (several
/// states, so `/posters` and its feeds are not empty), four partner organisations with
/// their events and feed subscriptions, and two publications (small synthetic PDFs).
async fn seed_awareness(services: &Services) -> Result<()> {
    use service::awareness::model::{Contact, EventForm, PartnerForm, PublicationForm};
    use service::cases::CaseQuery;
    let person = |role| async move {
        services
            .user_by_username(&Actor::Operator, demo_user(role).0)
            .await
            .map(|u| u.principal())
    };
    let analyst = person(Role::Analyst).await?;
    let supervisor = person(Role::Supervisor).await?;
    let today = services.today();
    // Every child missing now in the synthetic world (a handful, in several states) gets a
    // poster, as if the agency had consented today.
    let q = CaseQuery {
        currently_missing: true,
        ..CaseQuery::default()
    };
    let mut published = 0;
    for c in services.cases(&analyst, &q, 1, 12).await?.items {
        let done = services
            .publish_case(
                &analyst,
                domain::CaseId(c.id),
                "Demo County Child Welfare (synthetic consent)",
                &ymd(today),
                None,
            )
            .await;
        if done.is_ok() {
            published += 1;
        }
    }
    let contact = |name: &str, role: &str, email: &str, phone: &str| Contact {
        name: name.into(),
        role: role.into(),
        email: email.into(),
        phone: phone.into(),
    };
    let partners = [
        (
            "Demo Partner Club",
            "club",
            contact(
                "Pat Rivers",
                "Outreach lead",
                "pat@partner-club.example",
                "",
            ),
            "TX OK",
            "TX OK",
            vec![
                (
                    -40,
                    "Riverside community centre, Tulsa",
                    "Club members and families, about 80",
                    "50 posters, 200 leaflets",
                ),
                (
                    12,
                    "Spring fair, Tulsa",
                    "Parents at the fair, about 300",
                    "Leaflets and a table",
                ),
            ],
        ),
        (
            "Lone Star Print & Photo",
            "company",
            contact("Morgan Lee", "Store manager", "", "(555) 010-0142"),
            "TX",
            "TX",
            vec![(
                -15,
                "Austin store, window display",
                "Shoppers",
                "12 posters printed from the feed",
            )],
        ),
        (
            "Westside High School",
            "school",
            contact(
                "Jordan Blake",
                "Counsellor",
                "counsellor@westside-high.example",
                "(555) 010-0177",
            ),
            "CA",
            "",
            vec![
                (
                    -60,
                    "School hall",
                    "Year 10 and 11 students, about 240",
                    "Slides and 240 leaflets",
                ),
                (
                    -5,
                    "Staff room",
                    "Teachers, about 35",
                    "Signs-to-look-for guide",
                ),
            ],
        ),
        (
            "Neighbourhood Watch Network",
            "other",
            contact("Sam Ortiz", "Coordinator", "sam@watch-network.example", ""),
            "OK CA",
            "CA",
            vec![],
        ),
    ];
    for (name, kind, c, states, feeds, events) in partners {
        let f = PartnerForm {
            name: name.into(),
            kind: kind.into(),
            contacts: vec![c],
            states: states.into(),
            feed_states: feeds.into(),
            notes: String::new(),
        };
        let p = f
            .check()
            .map_err(|e| anyhow::anyhow!("a demo partner is not valid: {e}"))?;
        let id = services.create_partner(&supervisor, &p, None).await?;
        for (days, place, audience, materials) in events {
            let e = EventForm {
                held_on: ymd(today + time::Duration::days(days)),
                place: place.into(),
                audience: audience.into(),
                materials: materials.into(),
            }
            .check()
            .map_err(|e| anyhow::anyhow!("a demo event is not valid: {e}"))?;
            services
                .add_partner_event(&supervisor, id, &e, None)
                .await?;
        }
    }
    for (title, audience, days, lines) in [
        (
            "Spot the signs: a guide for parents and carers",
            "parents_carers",
            30,
            [
                "Changes in behaviour, new older friends, gifts with no explanation.",
                "No single sign proves anything. If you are worried, tell the hotline.",
                "If a child is in immediate danger, call 911.",
            ],
        ),
        (
            "Talking with students about online safety",
            "schools",
            90,
            [
                "Adults who ask for secrecy or pictures online are a warning sign.",
                "Students can report a concern without giving their name.",
                "Synthetic demo document.",
            ],
        ),
    ] {
        let meta = PublicationForm {
            title: title.into(),
            audience: audience.into(),
            published_on: ymd(today - time::Duration::days(days)),
        }
        .check(today)
        .map_err(|e| anyhow::anyhow!("a demo publication is not valid: {e}"))?;
        services
            .add_publication(&supervisor, &meta, one_page_pdf(title, &lines), None)
            .await?;
    }
    eprintln!("Awareness: {published} posters published, 4 partners, 2 publications.");
    Ok(())
}

/// A one-page PDF of a title and a few lines in Helvetica (ASCII only), for the demo's
/// publications.
fn one_page_pdf(title: &str, lines: &[&str]) -> Vec<u8> {
    let esc = |s: &str| {
        s.chars()
            .filter(char::is_ascii)
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect::<String>()
    };
    let mut text = format!("BT /F1 20 Tf 56 760 Td ({}) Tj ET\n", esc(title));
    for (i, l) in lines.iter().enumerate() {
        text.push_str(&format!(
            "BT /F1 12 Tf 56 {} Td ({}) Tj ET\n",
            720 - 20 * i,
            esc(l)
        ));
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn print_welcome(config: &Config) {
    println!();
    println!("Clearinghouse demo is running at http://{}", config.listen);
    println!("Data directory: {}", config.data_dir.display());
    println!("Every record is synthetic. The second factor is off in this demo.");
    println!();
    println!("Sign in with any of these accounts (password: {DEMO_PASSWORD}):");
    for role in Role::ALL {
        let (username, _, org) = demo_user(role);
        println!("  {username:<14} {:<30} {org}", role.label());
    }
    // Training (issue 22)
    println!();
    println!("Training learners sign in at /training/sign-in (same password):");
    for (email, name, what) in DEMO_LEARNERS {
        println!("  {email:<30} {name:<14} {what}");
    }
    println!();
    println!("Press Ctrl-C to stop.");
}

// Training (issue 22) ------------------------------------------------------------------

/// The demo's learners: (email, name, what they show).
const DEMO_LEARNERS: &[(&str, &str, &str)] = &[
    (
        "jordan.learner@example.org",
        "Jordan Reyes",
        "completed the introduction (certificate)",
    ),
    (
        "casey.welfare@example.org",
        "Casey Morgan",
        "child-welfare course half done",
    ),
    (
        "avery.officer@example.org",
        "Avery Lee",
        "law enforcement, verified",
    ),
    (
        "riley.pending@example.org",
        "Riley Chen",
        "law enforcement, waiting for a verifier",
    ),
];

/// Learners beyond the named ones who completed the introduction (not listed at start).
const COHORT: usize = 11;

/// Publishes the three sample courses and registers the demo learners through the same
/// use cases as the pages: the confirmation link read from the outbox, quizzes answered,
/// one law-enforcement request approved by the supervisor and one left waiting.
async fn seed_training(services: &Services) -> Result<()> {
    use service::training::model::samples;
    use service::training::{Registration, VerificationAsk};
    let courses = samples::courses();
    for c in &courses {
        services.publish_course_as_system(c).await?;
    }
    // A cohort who completed the introduction, so that the public statistics have a
    // count of courses completed above the smallest number they show.
    let cohort: Vec<(String, String)> = (1..=COHORT)
        .map(|i| {
            (
                format!("cohort{i:02}@example.org"),
                format!("Cohort Learner {i:02}"),
            )
        })
        .collect();
    let everyone = DEMO_LEARNERS
        .iter()
        .map(|(e, n, _)| ((*e).to_owned(), (*n).to_owned()))
        .chain(cohort.iter().cloned());
    for (email, name) in everyone {
        let outcome = services
            .register_learner(
                &Registration {
                    name: name.clone(),
                    email: email.clone(),
                    password: DEMO_PASSWORD.to_owned(),
                },
                None,
            )
            .await?;
        if let Err(problems) = outcome {
            anyhow::bail!("demo learner {email}: {problems:?}");
        }
        let messages = services.outbox_to(&email).await?;
        let token = messages
            .first()
            .and_then(|(_, body)| body.split("token=").nth(1))
            .and_then(|t| t.split_whitespace().next())
            .context("the demo learner's confirmation link")?
            .to_owned();
        services.verify_learner_email(&token, None).await?;
    }
    let learner = |email: &'static str| async move {
        services
            .learner_by_email_for_seed(email)
            .await?
            .context("a demo learner")
    };
    // Every right answer of a module, from the course itself.
    let answers =
        |course: &service::training::model::Course, module: usize| -> Vec<Option<usize>> {
            course.modules[module]
                .quiz
                .questions
                .iter()
                .map(|q| Some(q.answer))
                .collect()
        };
    let completers = std::iter::once("jordan.learner@example.org".to_owned())
        .chain(cohort.into_iter().map(|(email, _)| email));
    for email in completers {
        let who = services
            .learner_by_email_for_seed(&email)
            .await?
            .context("a demo learner")?;
        for m in 0..courses[0].modules.len() {
            services
                .submit_quiz(
                    &who,
                    &courses[0].slug,
                    m + 1,
                    &answers(&courses[0], m),
                    None,
                )
                .await?;
        }
    }
    let casey = learner("casey.welfare@example.org").await?;
    services
        .submit_quiz(&casey, &courses[1].slug, 1, &answers(&courses[1], 0), None)
        .await?;
    let supervisor = services
        .user_by_username(&Actor::Operator, demo_user(Role::Supervisor).0)
        .await?
        .principal();
    for (email, agency, badge, approve) in [
        (
            "avery.officer@example.org",
            "Riverton Police Department",
            "RPD-4471",
            true,
        ),
        (
            "riley.pending@example.org",
            "Lakeside County Sheriff",
            "LCS-0923",
            false,
        ),
    ] {
        let l = learner(email).await?;
        let work_email = format!(
            "{}@{}.example.gov",
            l.name.to_lowercase().replace(' ', "."),
            agency
                .split_whitespace()
                .next()
                .unwrap_or("agency")
                .to_lowercase()
        );
        let asked = services
            .request_verification(
                &l,
                &VerificationAsk {
                    agency: agency.to_owned(),
                    badge: badge.to_owned(),
                    work_email,
                },
                None,
            )
            .await?;
        if let Err(problems) = asked {
            anyhow::bail!("demo verification request: {problems:?}");
        }
        if approve {
            let id = services
                .my_verification(&l)
                .await?
                .context("the demo request")?
                .id;
            services
                .decide_verification(&supervisor, id, true, "", None)
                .await?;
        }
    }
    eprintln!("Training: 3 courses, {} learners.", DEMO_LEARNERS.len());
    Ok(())
}
