//! Memory: peak RSS of a client *process* (`arize-bench stream-rss`)
//! streaming a small and a 10× larger listing from `arize-fake-server`
//! running as a separate process (the facade stream, the raw loop, and
//! `access::export` writing CSV). A stream whose memory is bounded by a
//! page shows (almost) no growth.
//!
//! Then the export's time against the same listing without the export:
//! [`TIME_ROUNDS`] rounds at the large count, each one child process
//! running `access::export` to CSV and one running exactly the listing the
//! export makes ([`StreamClient::ExportListing`]: both resource types at
//! once, pages of [`EXPORT_PAGE`], one page read ahead each), alternating;
//! the median per-round ratio is reported, of wall and of client CPU time.
//!
//! Last, the memory of an access plan: a child (`arize-bench plan-rss`)
//! builds an authoritative file keeping every binding of the large account
//! (every tenth with another role), records its peak RSS, plans with IDs
//! only, and records its peak RSS again with the plan alive; the row is the
//! difference per binding. What is subtracted is the process before the
//! plan: runtime, client and the desired state (the plan's input) in memory.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::Sizes;
use crate::clients::API_KEY;
use crate::report::{Row, Target};
use crate::rss::{PlanRssReport, RssReport, StreamClient};
use crate::server::External;
use crate::stats::{median, thousands};

/// Rounds of the export-time comparison (1 with `--quick`).
pub const TIME_ROUNDS: usize = 5;

/// `access::export`'s page size (the baseline lists with the same).
pub const EXPORT_PAGE: usize = 100;

/// Runs `arize-bench stream-rss` with `client` against `server` and reads
/// its report (also used by [`crate::cli_export`]).
///
/// # Errors
///
/// When the child fails or prints no report.
pub fn measure(
    server: &External,
    count: usize,
    page: usize,
    client: StreamClient,
) -> anyhow::Result<RssReport> {
    let exe = std::env::current_exe().context("locating arize-bench")?;
    let client_name = match client {
        StreamClient::Facade => "facade",
        StreamClient::Raw => "raw",
        StreamClient::Export => "export",
        StreamClient::ExportListing => "export-listing",
    };
    let page = match client {
        StreamClient::Export | StreamClient::ExportListing => EXPORT_PAGE,
        StreamClient::Facade | StreamClient::Raw => page,
    };
    let output = Command::new(&exe)
        .args([
            "stream-rss",
            "--base-url",
            server.base_url(),
            "--api-key",
            API_KEY,
        ])
        .args(["--client", client_name])
        .arg("--count")
        .arg(count.to_string())
        .arg("--page")
        .arg(page.to_string())
        .output()
        .with_context(|| format!("running {} stream-rss", exe.display()))?;
    if !output.status.success() {
        bail!(
            "stream-rss --client {client_name} --count {count} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .last()
        .context("stream-rss printed nothing")?;
    serde_json::from_str(line).with_context(|| format!("parsing stream-rss output {line:?}"))
}

/// Writes the grants file of `plan-rss` for `server`'s bindings (every
/// tenth with another of the roles seen) and runs the child.
fn measure_plan(server: &External, count: usize) -> anyhow::Result<PlanRssReport> {
    use std::fmt::Write as _;
    let seeded = server.seeded();
    let roles: std::collections::BTreeSet<&str> =
        seeded.iter().map(|b| b.role_id.as_str()).collect();
    let mut text = String::new();
    for (i, b) in seeded.iter().enumerate() {
        let role = if i % 10 == 0 {
            roles
                .iter()
                .find(|r| **r != b.role_id)
                .copied()
                .unwrap_or(b.role_id.as_str())
        } else {
            b.role_id.as_str()
        };
        let _ = writeln!(text, "{}\t{role}\t{}", b.user_id, b.resource_id);
    }
    let path = std::env::temp_dir().join(format!(
        "arize-bench-plan-rss-{}-{count}.tsv",
        std::process::id()
    ));
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    let exe = std::env::current_exe().context("locating arize-bench")?;
    let output = Command::new(&exe)
        .args([
            "plan-rss",
            "--base-url",
            server.base_url(),
            "--api-key",
            API_KEY,
        ])
        .arg("--grants")
        .arg(&path)
        .arg("--count")
        .arg(count.to_string())
        .output()
        .with_context(|| format!("running {} plan-rss", exe.display()));
    let _ = std::fs::remove_file(&path);
    let output = output?;
    if !output.status.success() {
        bail!(
            "plan-rss --count {count} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().context("plan-rss printed nothing")?;
    serde_json::from_str(line).with_context(|| format!("parsing plan-rss output {line:?}"))
}

/// KiB as MiB, one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Runs the scenario.
///
/// # Errors
///
/// When a server or a child fails, or a child streams the wrong count.
pub fn run(sizes: &Sizes, fake_server: &Path) -> anyhow::Result<Vec<Row>> {
    let (small, large) = sizes.rss_counts;
    let clients = [
        StreamClient::Facade,
        StreamClient::Raw,
        StreamClient::Export,
    ];
    let mut results = Vec::new();
    for count in [small, large] {
        let server = External::spawn(fake_server, count)?;
        for client in clients {
            results.push(measure(&server, count, sizes.page, client)?);
        }
    }
    let find = |client: StreamClient, count: usize| {
        results
            .iter()
            .find(|r| r.client == client && r.count == count)
            .context("missing measurement")
    };
    let mut rows = Vec::new();
    for client in clients {
        let (a, b) = (find(client, small)?, find(client, large)?);
        let growth = b.vm_hwm_kib as f64 / a.vm_hwm_kib as f64;
        let measured = format!(
            "peak RSS (VmHWM) of the client process: {} bindings {}, {} bindings {} \
             (server in another process)",
            thousands(small as f64),
            mib(a.vm_hwm_kib),
            thousands(large as f64),
            mib(b.vm_hwm_kib),
        );
        rows.push(match client {
            StreamClient::Facade => Row::ratio(
                "Memory: facade peak RSS, 10× more bindings",
                measured,
                growth,
                Target::AtMost(1.10),
            ),
            StreamClient::Raw => Row::ratio(
                "Memory: raw loop peak RSS, 10× more bindings",
                measured,
                growth,
                Target::Info,
            ),
            StreamClient::Export => Row::ratio(
                "Memory: access export to CSV, peak RSS, 10× more bindings",
                measured,
                growth,
                Target::AtMost(1.10),
            ),
            StreamClient::ExportListing => continue,
        });
    }

    // Export time against the same listing alone, alternating.
    let server = External::spawn(fake_server, large)?;
    let rounds = if sizes.quick { 1 } else { TIME_ROUNDS };
    let (mut wall, mut cpu, mut export_ms, mut listing_ms) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let listing = measure(&server, large, EXPORT_PAGE, StreamClient::ExportListing)?;
        let export = measure(&server, large, EXPORT_PAGE, StreamClient::Export)?;
        wall.push(export.elapsed_ms as f64 / listing.elapsed_ms.max(1) as f64);
        if let (Some(e), Some(l)) = (export.cpu_ms, listing.cpu_ms) {
            cpu.push(e / l.max(f64::MIN_POSITIVE));
        }
        export_ms.push(export.elapsed_ms as f64);
        listing_ms.push(listing.elapsed_ms as f64);
    }
    let cpu_text = if cpu.len() == rounds {
        format!("; client CPU time ratio {:.2}", median(&cpu))
    } else {
        String::new()
    };
    rows.push(Row::ratio(
        "Access export to CSV: time / the same listing alone (both resource types, one page read ahead each, pages of 100)",
        format!(
            "{} bindings, median of {rounds} round(s), alternating: export {:.0} ms, listing {:.0} ms \
             (wall){cpu_text}",
            thousands(large as f64),
            median(&export_ms),
            median(&listing_ms),
        ),
        median(&wall),
        Target::AtMost(1.2),
    ));

    // A plan's memory.
    let plan = measure_plan(&server, large)?;
    let per_binding =
        plan.after_hwm_kib.saturating_sub(plan.before_hwm_kib) as f64 * 1024.0 / large as f64;
    rows.push(Row::info(
        format!(
            "Access plan: peak RSS over {} bindings in scope, bytes per binding",
            thousands(large as f64)
        ),
        format!(
            "{per_binding:.0} B/binding: peak RSS (VmHWM) {} after the plan (kept alive) minus {} \
             right before it (runtime, client and the desired state of {} grants: {} over the \
             {} of runtime and client); IDs only, {} role changes + {} unchanged",
            mib(plan.after_hwm_kib),
            mib(plan.before_hwm_kib),
            thousands(large as f64),
            mib(plan.before_hwm_kib.saturating_sub(plan.start_hwm_kib)),
            mib(plan.start_hwm_kib),
            thousands(plan.changes as f64),
            thousands((plan.count - plan.changes) as f64),
        ),
    ));
    Ok(rows)
}
