//! The child side of the memory scenario (`arize-bench stream-rss`):
//! stream every binding from a fake server in another process, check the
//! count, and report this process's peak resident set size (`VmHWM`).

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use arize_role_bindings::{ListQuery, ResourceType, access};
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

use crate::client_runtime;
use crate::clients;

/// Which client streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StreamClient {
    /// The facade's binding stream.
    Facade,
    /// The raw reqwest + serde_json page loop.
    Raw,
    /// `access::export` of the whole account written as CSV (to a sink),
    /// row by row.
    Export,
}

/// What the child prints (one JSON line).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RssReport {
    /// Which client streamed.
    pub client: StreamClient,
    /// Bindings seen (checked to equal the expected count).
    pub count: usize,
    /// Peak resident set size, KiB (`VmHWM`).
    pub vm_hwm_kib: u64,
    /// Resident set size at the end, KiB (`VmRSS`).
    pub vm_rss_kib: u64,
    /// How long the walk took, ms.
    pub elapsed_ms: u64,
}

/// A `kB` field of `/proc/self/status`.
///
/// # Errors
///
/// When the file cannot be read (not Linux) or lacks the field.
pub fn proc_status_kib(field: &str) -> anyhow::Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    parse_status_kib(&status, field)
}

fn parse_status_kib(status: &str, field: &str) -> anyhow::Result<u64> {
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(field).and_then(|r| r.strip_prefix(':')) {
            let number = rest.trim().trim_end_matches("kB").trim();
            return number
                .parse()
                .with_context(|| format!("{field}: {number:?} is not a number"));
        }
    }
    bail!("/proc/self/status has no {field}")
}

/// Streams every `SPACE` binding from `base_url` with `client` and checks
/// that exactly `expected` arrived.
///
/// # Errors
///
/// A failing request, a wrong count, no `/proc/self/status`.
pub fn stream_rss(
    base_url: &str,
    api_key: &str,
    expected: usize,
    page: u32,
    client: StreamClient,
) -> anyhow::Result<RssReport> {
    let runtime = client_runtime()?;
    let started = Instant::now();
    let count = runtime.block_on(async {
        let mut count = 0usize;
        match client {
            StreamClient::Facade => {
                let facade = clients::facade(base_url, api_key)?;
                let mut stream = facade.list(ListQuery::new(ResourceType::Space).limit(page));
                while let Some(binding) = stream.try_next().await? {
                    count += 1;
                    black_box(binding);
                }
            }
            StreamClient::Export => {
                let facade = clients::facade(base_url, api_key)?;
                count = access::export(&facade, &access::IdsOnly, access::ExportScope::account())
                    .await?
                    .write_csv(std::io::sink())
                    .await?;
            }
            StreamClient::Raw => {
                let raw = clients::raw(base_url, api_key)?;
                raw.walk(page as usize, |b| {
                    count += 1;
                    black_box(b);
                })
                .await?;
            }
        }
        anyhow::Ok(count)
    })?;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    ensure!(
        count == expected,
        "streamed {count} bindings, expected {expected}"
    );
    Ok(RssReport {
        client,
        count,
        vm_hwm_kib: proc_status_kib("VmHWM")?,
        vm_rss_kib: proc_status_kib("VmRSS")?,
        elapsed_ms,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn parses_proc_status_fields() {
        let status = "Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1024 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM").unwrap(), 2048);
        assert_eq!(parse_status_kib(status, "VmRSS").unwrap(), 1024);
        assert!(parse_status_kib(status, "VmSwap").is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_own_peak_rss() {
        assert!(proc_status_kib("VmHWM").unwrap() > 0);
    }
}
