//! The command line's export: `arize-access export` of every binding to a
//! CSV file, as a user runs it (a process of its own, `--quiet`), against
//! `arize-fake-server` in another process seeded with
//! [`Sizes::rss_counts`]`.1` bindings (100,000 in the full run), next to the
//! SDK's own export of the same server (`arize-bench stream-rss --client
//! export`: `access::export` written as CSV to a sink, from the memory
//! scenario).
//!
//! Reported (for information, no target): wall time of each, and peak RSS
//! (`VmHWM`). The SDK child reads its own `VmHWM` at the end; the CLI's is
//! sampled from `/proc/<pid>/status` every 2 ms while it runs (`VmHWM` only
//! grows, so the last sample is the peak but for the process's last
//! moments). The CLI does a little more than the SDK row: it joins the
//! directory's names (one listing of users, roles, spaces, projects) and
//! writes a real file. Checked every time: the file has a header and one
//! row per binding.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};

use crate::Sizes;
use crate::clients::API_KEY;
use crate::memory::{measure, mib};
use crate::report::{Row, Target};
use crate::rss::{StreamClient, parse_status_kib};
use crate::server::External;
use crate::stats::thousands;

/// One run of the CLI.
#[derive(Debug, Clone, Copy)]
pub struct CliRun {
    /// Wall time of the process.
    pub elapsed: Duration,
    /// Its peak RSS as last sampled, KiB.
    pub vm_hwm_kib: u64,
}

/// The `arize-access` executable next to this one (built by `cargo xtask
/// bench` with the same profile).
fn cli_exe() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating arize-bench")?;
    let cli = exe.with_file_name(format!("arize-access{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        cli.exists(),
        "{} not found: build it with the bench (`cargo xtask bench` does: `cargo build --release \
         -p arize-access`)",
        cli.display()
    );
    Ok(cli)
}

/// Runs `arize-access export -o out` against `base_url`, sampling its
/// `VmHWM`.
///
/// # Errors
///
/// When it cannot start or fails.
pub fn run_cli(cli: &Path, base_url: &str, out: &Path) -> anyhow::Result<CliRun> {
    let started = Instant::now();
    let mut child = Command::new(cli)
        .env_clear()
        .env("ARIZE_API_KEY", API_KEY)
        .args(["--base-url", base_url, "--quiet", "export", "-o"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", cli.display()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        // A sample while it runs; a zombie's status has no VmHWM (ignored).
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Ok(kib) = parse_status_kib(&text, "VmHWM")
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            let _ = child.wait();
            bail!("arize-access export ran for 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    if !status.success() {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
        }
        bail!("arize-access export failed ({status}): {}", err.trim());
    }
    ensure!(peak > 0, "no VmHWM sample of {status_file} (not Linux?)");
    Ok(CliRun {
        elapsed,
        vm_hwm_kib: peak,
    })
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server, the SDK child or the CLI fails, or the CSV does not
/// have one row per binding.
pub fn run(sizes: &Sizes, fake_server: &Path) -> anyhow::Result<Vec<Row>> {
    let count = sizes.rss_counts.1;
    let cli = cli_exe()?;
    let server = External::spawn(fake_server, count)?;
    let sdk = measure(&server, count, sizes.page, StreamClient::Export)?;
    let out =
        std::env::temp_dir().join(format!("arize-bench-cli-export-{}.csv", std::process::id()));
    let run = run_cli(&cli, server.base_url(), &out);
    let lines = std::fs::read_to_string(&out).map(|t| t.lines().count());
    let _ = std::fs::remove_file(&out);
    let run = run?;
    let lines = lines.with_context(|| format!("reading {}", out.display()))?;
    ensure!(
        lines == count + 1,
        "the CLI's CSV has {lines} lines, expected a header and {count} rows"
    );
    let n = thousands(count as f64);
    let cli_ms = run.elapsed.as_secs_f64() * 1000.0;
    Ok(vec![
        Row::ratio(
            format!(
                "CLI export to CSV: {n} bindings, `arize-access export -o FILE.csv` wall time / the SDK's export"
            ),
            format!(
                "CLI {cli_ms:.0} ms (a process: start, directory names joined, a file written); \
                 SDK access::export → CSV {} ms (server in another process)",
                sdk.elapsed_ms
            ),
            cli_ms / sdk.elapsed_ms.max(1) as f64,
            Target::Info,
        ),
        Row::ratio(
            format!(
                "CLI export to CSV: {n} bindings, peak RSS of the CLI / the SDK's export process"
            ),
            format!(
                "CLI {} (VmHWM sampled every 2 ms), SDK export {} (VmHWM)",
                mib(run.vm_hwm_kib),
                mib(sdk.vm_hwm_kib)
            ),
            run.vm_hwm_kib as f64 / sdk.vm_hwm_kib.max(1) as f64,
            Target::Info,
        ),
    ])
}
