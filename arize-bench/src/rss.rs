//! The child side of the memory scenario (`arize-bench stream-rss`):
//! stream every binding from a fake server in another process, check the
//! count, and report this process's peak resident set size (`VmHWM`).

use std::hint::black_box;

use anyhow::{Context as _, bail, ensure};
use arize_role_bindings::{ListQuery, ReadAhead, ResourceType, access};
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

use crate::client_runtime;
use crate::clients;
use crate::stats::Stopwatch;

/// Which client streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum StreamClient {
    /// The facade's binding stream.
    Facade,
    /// The raw reqwest + serde_json page loop.
    Raw,
    /// `access::export` of the whole account written as CSV (to a sink),
    /// row by row.
    Export,
    /// The listing `access::export` makes, bindings dropped: both resource
    /// types at once, one page read ahead each (the baseline of the
    /// export's time: the same requests, nothing joined or written).
    ExportListing,
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
    /// CPU time of the client thread during the walk (the whole client on
    /// its current-thread runtime), ms; `None` off Linux.
    #[serde(default)]
    pub cpu_ms: Option<f64>,
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

/// A `kB` field of a `/proc/<pid>/status` text.
///
/// # Errors
///
/// When the text lacks the field or its number.
pub fn parse_status_kib(status: &str, field: &str) -> anyhow::Result<u64> {
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
    let started = Stopwatch::start();
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
            StreamClient::ExportListing => {
                let facade = clients::facade(base_url, api_key)?;
                let listing = |t: ResourceType| {
                    facade.list(ListQuery::new(t).limit(page).read_ahead(ReadAhead::OnePage))
                };
                let mut stream = futures::stream::select(
                    listing(ResourceType::Space),
                    listing(ResourceType::Project),
                );
                while let Some(binding) = stream.try_next().await? {
                    count += 1;
                    black_box(binding);
                }
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
    let sample = started.stop();
    let elapsed_ms = u64::try_from(sample.wall.as_millis()).unwrap_or(u64::MAX);
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
        cpu_ms: sample.cpu.map(|c| c.as_secs_f64() * 1e3),
    })
}

/// What `arize-bench plan-rss` prints (one JSON line).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanRssReport {
    /// Bindings in the plan (changes + unchanged; checked).
    pub count: usize,
    /// Role changes in the plan.
    pub changes: usize,
    /// Peak RSS (`VmHWM`) before the file was built, KiB: runtime and
    /// client.
    pub start_hwm_kib: u64,
    /// Peak RSS right before `plan` (runtime, client and the desired state
    /// in memory), KiB: the baseline subtracted.
    pub before_hwm_kib: u64,
    /// Peak RSS after `plan`, with the plan still alive, KiB.
    pub after_hwm_kib: u64,
}

/// Reads the grants file of `plan-rss`: one `user<TAB>role<TAB>space` line
/// per grant; the scope is every space named, all users, authoritative.
/// Read line by line, so that no copy of the file is held.
///
/// # Errors
///
/// An unreadable file or a line without three fields.
pub fn read_grants(path: &std::path::Path) -> anyhow::Result<access::DesiredState> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut grants = Vec::new();
    let mut spaces = std::collections::BTreeSet::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let mut fields = line.split('\t');
        let (Some(user), Some(role), Some(space)) = (fields.next(), fields.next(), fields.next())
        else {
            bail!(
                "{}: {line:?} is not user<TAB>role<TAB>space",
                path.display()
            );
        };
        if !spaces.contains(space) {
            spaces.insert(space.to_owned());
        }
        grants.push(access::GrantSpec::space(user, role, space));
    }
    Ok(access::DesiredState::new(
        access::Mode::Authoritative,
        access::Scope {
            spaces: spaces.into_iter().collect(),
            projects: Vec::new(),
            users: Some(access::UsersScope::All),
        },
        grants,
    ))
}

/// Plans `grants` (see [`read_grants`]) against `base_url` with IDs only
/// and reports the process's peak RSS before and after; checks that the
/// plan holds `expected` bindings (`changes` of them role changes).
///
/// # Errors
///
/// A failing plan, a wrong count, no `/proc/self/status`.
pub fn plan_rss(
    base_url: &str,
    api_key: &str,
    grants: &std::path::Path,
    expected: usize,
) -> anyhow::Result<PlanRssReport> {
    let runtime = client_runtime()?;
    let facade = clients::facade(base_url, api_key)?;
    let start_hwm_kib = proc_status_kib("VmHWM")?;
    let state = read_grants(grants)?;
    let before_hwm_kib = proc_status_kib("VmHWM")?;
    let plan = runtime.block_on(access::plan(&facade, &state, &access::IdsOnly))?;
    let after_hwm_kib = proc_status_kib("VmHWM")?;
    let count = plan.changes.len() + plan.unchanged.len();
    ensure!(
        count == expected && plan.creates.is_empty() && plan.revokes.is_empty(),
        "plan of {count} bindings ({} creates, {} revokes), expected {expected} and none",
        plan.creates.len(),
        plan.revokes.len()
    );
    let changes = plan.changes.len();
    black_box(plan);
    Ok(PlanRssReport {
        count,
        changes,
        start_hwm_kib,
        before_hwm_kib,
        after_hwm_kib,
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
