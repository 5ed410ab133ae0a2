//! `clearinghouse resources …`: the recovery resource directory from the command line, as
//! Open Referral HSDS 3.x CSV data packages (a directory of `organizations.csv`,
//! `services.csv`, `locations.csv`, …).

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use recovery::hsds::{Files, FILES};
use service::Services;
use std::path::{Path, PathBuf};

/// Largest file of a package read (a state's whole 211 directory is a few tens of MB).
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Subcommand)]
pub enum ResourcesCommand {
    /// Import an Open Referral HSDS 3.x CSV data package into the recovery directory. A service whose HSDS id is already there is updated, not added again; rows that cannot be read are listed by file and line (and the command then exits with status 1, after importing the rest).
    Import {
        /// The package's directory: organizations.csv and services.csv, and any of locations.csv, addresses.csv, service_at_location.csv, phones.csv, languages.csv, schedules.csv, service_areas.csv, taxonomies.csv, taxonomy_terms.csv, attributes.csv.
        path: PathBuf,
    },
    /// Export the whole recovery directory as an Open Referral HSDS 3.x CSV data package.
    Export {
        /// A directory to write the package's files in: created if missing, and it must not already hold a package.
        dir: PathBuf,
    },
}

pub async fn run(services: &Services, cmd: ResourcesCommand) -> Result<()> {
    match cmd {
        ResourcesCommand::Import { path } => {
            let files = read_package(&path)?;
            let summary = services
                .import_resources_as_operator(&files)
                .await
                .context("importing the package")?;
            for r in &summary.rejected {
                eprintln!("rejected: {r}");
            }
            println!(
                "Imported {}: {} services added, {} updated, {} rows rejected.",
                path.display(),
                summary.added,
                summary.updated,
                summary.rejected.len()
            );
            if !summary.rejected.is_empty() {
                return Err(crate::Exit::Partial(format!(
                    "{} rows were rejected (listed above): correct them and import the package again; the services already imported are updated, not duplicated",
                    summary.rejected.len()
                ))
                .into());
            }
            Ok(())
        }
        ResourcesCommand::Export { dir } => {
            let files = services
                .export_resources_as_operator()
                .await
                .context("reading the directory")?;
            write_package(&dir, &files)?;
            println!("Wrote {} files to {}.", files.len(), dir.display());
            Ok(())
        }
    }
}

fn read_package(path: &Path) -> Result<Files> {
    if !path.is_dir() {
        bail!(
            "{} is not a directory: give the directory that holds the package's CSV files (organizations.csv, services.csv, …)",
            path.display()
        );
    }
    let mut files = Files::new();
    for name in FILES {
        let p = path.join(name);
        if !p.exists() {
            continue;
        }
        let len = std::fs::metadata(&p)
            .with_context(|| format!("reading {}", p.display()))?
            .len();
        if len > MAX_FILE_BYTES {
            bail!(
                "{} is larger than {} MB: split the package",
                p.display(),
                MAX_FILE_BYTES / 1024 / 1024
            );
        }
        let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        files.insert(name.to_owned(), bytes);
    }
    if !files.contains_key("services.csv") {
        bail!(
            "{} has no services.csv: is it an Open Referral HSDS 3 CSV package?",
            path.display()
        );
    }
    Ok(files)
}

fn write_package(dir: &Path, files: &Files) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for name in files.keys() {
        if dir.join(name).exists() {
            bail!(
                "{} already has {name}: export into an empty directory, so no earlier package is overwritten",
                dir.display()
            );
        }
    }
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}
