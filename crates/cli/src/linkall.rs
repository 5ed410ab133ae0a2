//! `clearinghouse link`: forget every identifier and link and recompute them all from the
//! records in the database (after changing the linking rules, or to repair links that a
//! failure left out), with a progress bar and the figures at the end.

use anyhow::Result;
use service::Services;

pub async fn run(services: &Services) -> Result<()> {
    let start = std::time::Instant::now();
    let bar = crate::linkcmd::count_bar(0, "linking reports, cases and ads");
    let counts = services
        .link_all(|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let c = counts?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "Linked {} records in {secs:.1} s ({:.0} records/s): {} identifiers, {} links; {} identifiers are hubs carried by more than {} records and link nobody.",
        c.records,
        c.records as f64 / secs.max(1e-9),
        c.identifiers,
        c.links,
        c.hubs,
        service::linking::hub_cap(),
    );
    Ok(())
}
