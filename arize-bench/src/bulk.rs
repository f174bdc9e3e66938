//! Bulk: 1,000 `ensure` calls with server latency, bounded concurrency 32
//! vs 1 (target ≥ 15× faster), and the same with 10 % of calls answered 429
//! (every item must end correct).
//!
//! **Hook.** The facade has no bulk API yet (issue 5, part 1, is being
//! written). When it lands, implement [`run`] against
//! `arize_role_bindings::Client` only — start an [`InProcess`] server with
//! `FakeServer::builder().seed(..).latency(None, sizes.bulk_latency)` (and
//! for the 429 run `.fault(FaultRule::new(Fault::RateLimited(..)).every(10))`),
//! apply `sizes.bulk_items` ensures with concurrency 1 and 32, compare wall
//! times, check every item's result and the server's bindings, and report
//! `server.peak_in_flight()` next to the bound. Nothing else in the harness
//! needs to change.
//!
//! [`InProcess`]: crate::server::InProcess

use crate::Sizes;
use crate::report::{Row, Target};

/// Runs the scenario; for now two `PENDING` rows.
///
/// # Errors
///
/// None yet.
pub fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let why = "the facade has no bulk API yet (issue 5 part 1); scenario not run";
    Ok(vec![
        Row::pending(
            format!(
                "Bulk: {} ensure, {} ms latency, concurrency 32 vs 1 (speed-up)",
                sizes.bulk_items,
                sizes.bulk_latency.as_millis()
            ),
            why,
            Target::AtLeast(15.0),
        ),
        Row::pending(
            "Bulk: same with 10 % of calls answered 429 — every item correct",
            why,
            Target::Holds,
        ),
    ])
}
