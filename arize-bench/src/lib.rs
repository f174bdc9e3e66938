//! The benchmark harness behind `cargo xtask bench` (issue 5): each scenario
//! runs the facade (`arize-role-bindings`), and where it makes sense the
//! generated client (`arize-api`) and a hand-written raw reqwest +
//! serde_json baseline, against the fake server on 127.0.0.1, and reports
//! **ratios measured in the same run** next to their targets.
//!
//! | module | scenario |
//! |---|---|
//! | [`overhead`] | sequential `get`: facade vs generated vs raw |
//! | [`listing`] | streaming every binding: facade vs raw page loop |
//! | [`memory`] | peak RSS of a client process streaming 10× more bindings; access export time vs its listing; a plan's peak RSS per binding |
//! | [`instructions`] | client cost in instructions under callgrind (load-independent) |
//! | [`read_ahead`] | list latency overlapped with consumer work |
//! | [`bulk`] | bounded-concurrency `ensure`: 32 vs 1 in flight, and under 429s |
//! | [`cli_export`] | `arize-access export` to CSV (a process): wall time and peak RSS next to the SDK's export |
//! | [`build_cost`] | clean build and one-file rebuild of the facade |
//! | [`cold_build`] | cold build of a tiny dependent app, per TLS feature |
//! | [`runtimes`] | CPU per sequential `get`: multi-thread `block_on` vs `current_thread` vs `tokio::spawn` |
//!
//! [`profile`] is a single-client loop to run under callgrind or perf.
//!
//! Nothing here asserts timings: a missed target is printed as `MISS`; only
//! a broken harness (a scenario erroring, a wrong count) is a failure.
//!
//! The crate is a command-line tool; printing progress is its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod access;
pub mod build_cost;
pub mod bulk;
pub mod cli_export;
pub mod clients;
pub mod cold_build;
pub mod instructions;
pub mod listing;
pub mod memory;
pub mod overhead;
pub mod profile;
pub mod raw;
pub mod read_ahead;
pub mod report;
pub mod rss;
pub mod runtimes;
pub mod server;
pub mod stats;

use std::path::PathBuf;
use std::time::Duration;

/// How big each scenario is.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// `true` for `--quick`: tiny sizes, targets shown but not meaningful.
    pub quick: bool,
    /// Sequential gets per client (raw, generated, facade), in total.
    pub gets: usize,
    /// Rounds the gets are split into (clients alternate every round).
    pub get_rounds: usize,
    /// Bindings streamed per walk (pages of [`Sizes::page`]).
    pub list_bindings: usize,
    /// Walks per client.
    pub list_rounds: usize,
    /// Page size for listing.
    pub page: usize,
    /// Bindings streamed by the small and the large memory run.
    pub rss_counts: (usize, usize),
    /// Pages of the read-ahead scenario.
    pub read_ahead_pages: usize,
    /// Server latency per list page and consumer work per page.
    pub read_ahead_delay: Duration,
    /// Walks per mode (with / without read-ahead).
    pub read_ahead_rounds: usize,
    /// Items of the bulk scenario.
    pub bulk_items: usize,
    /// Server latency per call in the bulk scenario.
    pub bulk_latency: Duration,
    /// Whether to measure the build cost (minutes on 2 cores).
    pub build_cost: bool,
    /// Whether to count instructions under callgrind (a minute or more on
    /// a debug build).
    pub instructions: bool,
}

impl Sizes {
    /// The sizes of issue 5.
    pub fn full() -> Self {
        Self {
            quick: false,
            gets: 30_000,
            get_rounds: 150,
            list_bindings: 100_000,
            list_rounds: 9,
            page: 100,
            rss_counts: (10_000, 100_000),
            read_ahead_pages: 50,
            read_ahead_delay: Duration::from_millis(20),
            read_ahead_rounds: 2,
            bulk_items: 1_000,
            bulk_latency: Duration::from_millis(10),
            build_cost: true,
            instructions: true,
        }
    }

    /// Tiny sizes: exercises every code path in seconds.
    pub fn quick() -> Self {
        Self {
            quick: true,
            gets: 200,
            get_rounds: 2,
            list_bindings: 2_000,
            list_rounds: 1,
            page: 100,
            rss_counts: (200, 2_000),
            read_ahead_pages: 5,
            read_ahead_delay: Duration::from_millis(5),
            read_ahead_rounds: 1,
            bulk_items: 50,
            bulk_latency: Duration::from_millis(2),
            build_cost: false,
            instructions: false,
        }
    }
}

/// Where things are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The `arize-fake-server` executable (for the memory scenario).
    pub fake_server: PathBuf,
    /// The workspace root (for the build-cost scenario).
    pub workspace: PathBuf,
    /// The cargo executable.
    pub cargo: PathBuf,
    /// The separate target directory of the build-cost scenario.
    pub build_dir: PathBuf,
    /// Where callgrind output files go.
    pub callgrind_dir: PathBuf,
}

/// A current-thread runtime for the client side of a scenario: the server
/// runs on its own runtime thread, so client and server each get a core.
///
/// # Errors
///
/// When tokio cannot build the runtime.
pub fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
