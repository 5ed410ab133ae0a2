//! `clearinghouse triage …`: reassess every report's priority after the indicator
//! catalogue changed, with a progress bar and the figures at the end.

use anyhow::Result;
use clap::Subcommand;
use service::Services;

#[derive(Subcommand)]
pub enum TriageCommand {
    /// Reassess the priority of every report and missing-child case with the indicator catalogue in force (run it after editing the catalogue).
    Recompute,
}

pub async fn run(services: &Services, cmd: TriageCommand) -> Result<()> {
    match cmd {
        TriageCommand::Recompute => {
            let version = services.engine.current().catalogue().version;
            let start = std::time::Instant::now();
            let bar = crate::linkcmd::count_bar(0, "reassessing reports");
            let n = services
                .recompute_priorities(|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
            bar.finish_and_clear();
            let n = n?;
            let secs = start.elapsed().as_secs_f64();
            println!(
                "Reassessed {n} reports with indicator catalogue version {version} in {secs:.1} s ({:.0} reports/s).",
                n as f64 / secs.max(1e-9)
            );
            let start = std::time::Instant::now();
            let bar = crate::linkcmd::count_bar(0, "reassessing cases");
            // Cases imported before their episodes were stored are filled in first.
            let filled = services.backfill_imported_cases().await?;
            let cases = services
                .recompute_case_priorities(|done| bar.set_position(done))
                .await;
            bar.finish_and_clear();
            let cases = cases?;
            println!(
                "Reassessed {cases} missing-child cases ({filled} filled in from their import) in {:.1} s.",
                start.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}
