//! `clearinghouse admin …`: the operator's tools. Changes are audited as made by the
//! operator at the command line.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use domain::{OrgKind, Role};
use service::accounts::{Actor, NewAccount};
use service::audit::AuditCheck;
use service::Services;
use std::io::{BufRead, IsTerminal};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an organisation.
    CreateOrg {
        #[arg(long)]
        name: String,
        /// hotline, law-enforcement, child-welfare, provider, service-provider or partner.
        #[arg(long, value_parser = parse_kind)]
        kind: OrgKind,
    },
    /// Create a user; the password is read from standard input.
    CreateUser {
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// administrator, supervisor, analyst, investigator, caseworker, recovery-specialist, volunteer or provider-api.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        username: String,
        /// Full name shown in the interface (defaults to the username).
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// Set a new password (read from standard input); ends the user's sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        #[arg(long)]
        username: String,
    },
    /// Change a user's role; ends the user's sessions.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set the states and countries a law-enforcement agency covers (reports of that jurisdiction are offered to it first).
    SetJurisdiction {
        /// The agency's name.
        #[arg(long)]
        org: String,
        /// Two-letter codes, e.g. "CA, NV" (US states) or "US, MX" (countries).
        #[arg(long)]
        codes: String,
    },
    /// Remove a user's second factor so they set it up again.
    ResetSecondFactor {
        #[arg(long)]
        username: String,
    },
    /// Create a personal API token for a user and print it (shown once).
    CreateToken {
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "created at the command line")]
        name: String,
    },
    /// List users.
    ListUsers {
        /// Only users whose username, name or organisation contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Verify the audit log's hash chain; exits non-zero and names the first broken entry.
    VerifyAudit,
    /// Print a new random master key (base64) for files.key, to start a key rotation.
    NewKey,
    /// Re-encrypt every stored file and re-seal every second-factor secret under the
    /// current files.key; what files.previous_keys encrypted still opens meanwhile, and the
    /// server may keep running. Run it after making a new key current; remove the previous
    /// keys once it reports nothing left.
    RotateKey {
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Purge the records past their retention period ([retention] in the configuration; none by default) and sweep files no record needs, as a background job run now. One audit entry records the counts.
    Purge {
        /// Say what would be purged, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_kind(s: &str) -> Result<OrgKind, String> {
    s.parse().map_err(|e: domain::DomainError| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|e: domain::DomainError| e.to_string())
}

fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Password: ").context("reading the password")?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line
    };
    let pw = line.trim_end_matches(['\n', '\r']).to_owned();
    if pw.is_empty() {
        bail!("no password given: pipe it on standard input, e.g. `printf '%s\\n' \"$PASSWORD\" | clearinghouse admin …`");
    }
    Ok(pw)
}

pub async fn run(services: &Services, cmd: AdminCommand) -> Result<()> {
    let op = Actor::Operator;
    match cmd {
        AdminCommand::CreateOrg { name, kind } => {
            let id = services.create_org(&op, &name, kind, None).await?;
            println!("Created organisation {name} ({kind}) with id {id}.");
        }
        AdminCommand::CreateUser {
            org,
            role,
            username,
            display_name,
        } => {
            let password = read_password()?;
            let id = services
                .create_user(
                    &op,
                    NewAccount {
                        org_name: &org,
                        username: &username,
                        display_name: &display_name,
                        role,
                        password: &password,
                    },
                    None,
                )
                .await?;
            println!(
                "Created user {} ({role}) in {org} with id {id}.",
                username.trim().to_ascii_lowercase()
            );
        }
        AdminCommand::ResetPassword { username } => {
            let password = read_password()?;
            services
                .reset_password(&op, &username, &password, None)
                .await?;
            println!("Password set for {username}; their sessions were ended.");
        }
        AdminCommand::Unlock { username } => {
            services.unlock(&op, &username, None).await?;
            println!("Unlocked {username}.");
        }
        AdminCommand::SetJurisdiction { org, codes } => {
            let found = services
                .orgs(&op)
                .await?
                .into_iter()
                .find(|o| o.name == org)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "there is no organisation named {org:?}; check the spelling (names are exact), or create it with `clearinghouse admin create-org`"
                    )
                })?;
            let set = services
                .set_agency_jurisdiction(&op, found.id, &codes, None)
                .await?;
            println!("{org} covers {}.", set.join(", "));
        }
        AdminCommand::SetRole { username, role } => {
            services.set_role(&op, &username, role, None).await?;
            println!("{username} is now {role}; their sessions were ended.");
        }
        AdminCommand::ResetSecondFactor { username } => {
            services.reset_second_factor(&op, &username, None).await?;
            println!("Second factor removed for {username}; they set it up at their next sign-in.");
        }
        AdminCommand::CreateToken { username, name } => {
            let t = services.create_token(&op, &username, &name, None).await?;
            println!("{}", t.token);
            eprintln!("This token is shown once. Send it as `Authorization: Bearer <token>`.");
        }
        AdminCommand::ListUsers { search } => {
            let mut page = 1;
            loop {
                let p = services
                    .users_page(&op, search.as_deref(), page, 200)
                    .await?;
                if page == 1 && p.items.is_empty() {
                    println!("No users.");
                }
                for u in &p.items {
                    let status = if u.locked_at.is_some() {
                        "locked"
                    } else {
                        "active"
                    };
                    println!(
                        "{:<24} {:<20} {:<8} {}",
                        u.username, u.role, status, u.org_name
                    );
                }
                if page >= p.pages() {
                    break;
                }
                page += 1;
            }
        }
        AdminCommand::NewKey => {
            // `main` answers it before connecting (it needs no database); the same here.
            println!("{}", blob::Key::generate().to_base64());
        }
        AdminCommand::RotateKey { json } => {
            let bar = crate::linkcmd::count_bar(0, "re-encrypting files under the current key");
            let report = services
                .rotate_keys(&|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).context("writing the outcome as JSON")?
                );
            } else {
                println!(
                    "Current key {}: {} second-factor secrets re-sealed; {} files re-encrypted, {} already under it, {} deleted meanwhile.",
                    services.sealer.key_id(),
                    report.secrets_resealed,
                    report.files_reencrypted,
                    report.files_current,
                    report.files_gone
                );
                for (key, why) in &report.failed {
                    println!("  not re-encrypted: file {key}: {why}");
                }
                if report.complete() {
                    println!("Nothing is left under a previous key: remove files.previous_keys from the configuration and restart.");
                }
            }
            if !report.complete() {
                return Err(crate::Exit::Partial(format!(
                    "{} files could not be re-encrypted (listed above); keep files.previous_keys until they are, and run the command again",
                    report.failed.len()
                ))
                .into());
            }
        }
        AdminCommand::Purge { dry_run, json } => {
            let o = services.purge_as_operator(dry_run).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&o).context("writing the outcome as JSON")?
                );
            } else {
                let verb = if dry_run { "Would purge" } else { "Purged" };
                println!("{verb} {} records:", o.total_records());
                for t in domain::retention::RecordType::ALL {
                    let n = o.records.get(t.as_str()).copied().unwrap_or(0);
                    let period = services.retention.describe(t);
                    println!("  {:<28} {n:>6}   ({period})", t.label());
                }
                println!("Kept by a legal hold: {}", o.held);
                println!(
                    "Files: {} of purged records, {} of retracted or expired provider reports, {} named by no record",
                    o.record_files, o.abandoned_files, o.orphan_files
                );
                if dry_run {
                    println!("Nothing was changed (--dry-run).");
                }
            }
        }
        AdminCommand::VerifyAudit => match services.verify_audit().await? {
            AuditCheck::Intact { entries } => {
                println!("The audit log is intact: {entries} entries verified.")
            }
            AuditCheck::Broken(b) => {
                return Err(
                    crate::Exit::AuditBroken(format!("the audit log is broken: {b}")).into(),
                )
            }
        },
    }
    Ok(())
}
