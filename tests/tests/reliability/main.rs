//! Reliability and security suite (issues 4 and 9): the fault matrix,
//! hostile input (property tests, hostile IDs, headers, plain http, the body
//! cap), hardening (redirects, proxies, credentials in errors, oversized
//! error bodies, the rate-limit pause, endless lookups), no leaks, and load.
//!
//! One test binary with its own harness (`harness = false` in
//! `tests/Cargo.toml`): it runs every check on a multi-threaded runtime,
//! each bounded in time (running out of time is a "hang"), prints failures,
//! the summary line and `N passed, M failed`, and exits non-zero on any
//! failure. Arguments: an optional substring to select checks by name,
//! `--list` to list them, `--print-matrix` to print the README's table.
//! Other flags that `cargo test` passes (`--nocapture`, ...) are ignored.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod hardening;
mod hostile;
mod leaks;
mod load;
mod matrix;
mod props;
mod raw;
mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt as _;

use support::{HANGS, LEAKS, PANICS, Report, bounded};

/// How many matrix cells run at once.
const CELL_CONCURRENCY: usize = 8;
/// The bound on one matrix cell.
const CELL_LIMIT: Duration = Duration::from_secs(30);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--print-matrix") {
        print!("{}", matrix::markdown());
        return;
    }
    let filter = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .unwrap_or_default();
    let list_only = args.iter().any(|a| a == "--list");

    let names = all_names();
    if list_only {
        for name in names.iter().filter(|n| n.contains(&filter)) {
            println!("{name}: test");
        }
        return;
    }

    let scanner = support::install_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let selected = |name: &str| name.contains(&filter);
    let report = runtime.block_on(run(&selected));
    runtime.shutdown_timeout(Duration::from_secs(5));

    let mut report = report;
    // Everything traced during the run, at TRACE, must be free of the key.
    if selected("leaks::tracing") {
        let hits = scanner.hits();
        LEAKS.fetch_add(hits.len(), Ordering::SeqCst);
        report.push(
            "leaks::tracing",
            if hits.is_empty() && scanner.bytes() > 0 {
                Ok(())
            } else if hits.is_empty() {
                Err("no tracing output was captured".into())
            } else {
                Err(format!("the key appears in tracing output: {hits:?}"))
            },
        );
        println!(
            "tracing: {} bytes captured at TRACE, scanned for the key",
            scanner.bytes()
        );
    }

    for outcome in &report.outcomes {
        if let Err(message) = &outcome.result {
            println!("FAILED {}: {message}", outcome.name);
        }
    }
    let failed = report.failed();
    let passed = report.outcomes.len() - failed;
    println!(
        "faults: {} cells, bad inputs: {} cases, hardening: {} cases, load: {} calls, panics: {}, hangs: {}, leaks: {}",
        report.fault_cells,
        report.bad_inputs,
        report.hardening,
        report.load_calls,
        PANICS.load(Ordering::SeqCst),
        HANGS.load(Ordering::SeqCst),
        LEAKS.load(Ordering::SeqCst),
    );
    println!("{passed} passed, {failed} failed");
    let summary = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability-summary.txt");
    let _ = std::fs::write(
        &summary,
        format!(
            "faults: {} cells, bad inputs: {} cases, hardening: {} cases, load: {} calls, panics: {}, hangs: {}, leaks: {}\n{passed} passed, {failed} failed\n",
            report.fault_cells,
            report.bad_inputs,
            report.hardening,
            report.load_calls,
            PANICS.load(Ordering::SeqCst),
            HANGS.load(Ordering::SeqCst),
            LEAKS.load(Ordering::SeqCst),
        ),
    );
    if failed > 0 || report.outcomes.is_empty() && filter.is_empty() {
        std::process::exit(1);
    }
}

fn all_names() -> Vec<String> {
    let mut names = Vec::new();
    for row in matrix::rows() {
        for col in matrix::Col::all() {
            names.push(format!("matrix::{}::{}", row.key, col.key()));
        }
    }
    names.push("matrix::readme".into());
    names.extend(props::names());
    names.extend(hostile::names());
    names.extend(hardening::names());
    names.extend(leaks::names());
    names.extend(load::names());
    names.push("leaks::tracing".into());
    names
}

async fn run(selected: &(dyn Fn(&str) -> bool + Sync)) -> Report {
    let mut report = Report::default();

    // The fault matrix, a few cells at a time.
    let rows: &'static [matrix::Row] = Box::leak(matrix::rows().into_boxed_slice());
    let cells: Vec<(String, &'static matrix::Row, matrix::Col)> = rows
        .iter()
        .flat_map(|row| {
            matrix::Col::all()
                .into_iter()
                .map(move |col| (format!("matrix::{}::{}", row.key, col.key()), row, col))
        })
        .filter(|(name, _, _)| selected(name))
        .collect();
    let results: Vec<(String, Result<(), String>)> = futures::stream::iter(cells)
        .map(|(name, row, col)| async move {
            (name, bounded(CELL_LIMIT, matrix::run_cell(row, col)).await)
        })
        .buffer_unordered(CELL_CONCURRENCY)
        .collect()
        .await;
    let mut results = results;
    results.sort_by(|a, b| a.0.cmp(&b.0));
    report.fault_cells += results.len();
    for (name, result) in results {
        report.push(name, result);
    }
    if selected("matrix::readme") {
        report.push("matrix::readme", matrix::readme_in_sync());
    }

    props::run(selected, &mut report).await;
    hostile::run(selected, &mut report).await;
    hardening::run(selected, &mut report).await;
    leaks::run(selected, &mut report).await;
    load::run(selected, &mut report).await;
    report
}
