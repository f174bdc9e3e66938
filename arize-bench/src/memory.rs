//! Memory: peak RSS of a client *process* (`arize-bench stream-rss`)
//! streaming a small and a 10× larger listing from `arize-fake-server`
//! running as a separate process (the facade stream, the raw loop, and
//! `access::export` writing CSV). A stream whose memory is bounded by a
//! page shows (almost) no growth.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::Sizes;
use crate::clients::API_KEY;
use crate::report::{Row, Target};
use crate::rss::{RssReport, StreamClient};
use crate::server::External;
use crate::stats::thousands;

fn measure(
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

fn mib(kib: u64) -> String {
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
        });
    }
    let (export, stream) = (
        find(StreamClient::Export, large)?,
        find(StreamClient::Facade, large)?,
    );
    rows.push(Row::ratio(
        "Access export to CSV: time / the facade's plain listing stream (same bindings, one walk each)",
        format!(
            "{} bindings: export {} ms, listing {} ms",
            thousands(large as f64),
            export.elapsed_ms,
            stream.elapsed_ms
        ),
        export.elapsed_ms as f64 / stream.elapsed_ms.max(1) as f64,
        Target::AtMost(1.2),
    ));
    Ok(rows)
}
