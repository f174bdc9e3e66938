//! Which runtime to run sequential calls on: the CPU time per facade `get`
//! of the same sequential loop made (a) directly in the `block_on` of the
//! default multi-thread runtime (what `#[tokio::main]` does), (b) on a
//! `current_thread` runtime, (c) inside `tokio::spawn` on the multi-thread
//! runtime. The fake server is a separate process, so the CPU counted is
//! the client's alone: every thread of this process, from
//! `/proc/self/task/*/schedstat` (nanoseconds; Linux only).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, ensure};
use arize_role_bindings::RoleBindingId;

use crate::Sizes;
use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::External;
use crate::stats::median;

/// Bindings the gets cycle through.
const DISTINCT_IDS: usize = 100;
/// Gets before measuring (connections set up).
const WARMUP: usize = 100;

/// How the loop is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    MultiThreadBlockOn,
    CurrentThread,
    MultiThreadSpawn,
}

const ALL: [Mode; 3] = [
    Mode::MultiThreadBlockOn,
    Mode::CurrentThread,
    Mode::MultiThreadSpawn,
];

/// CPU time of every thread of this process so far.
pub fn process_cpu() -> Option<Duration> {
    let mut total: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let Ok(task) = task else { continue };
        // A thread that ended meanwhile has no file any more: skip it.
        let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

async fn gets(
    client: &arize_role_bindings::Client,
    ids: &[RoleBindingId],
    n: usize,
) -> anyhow::Result<()> {
    for i in 0..n {
        let id = &ids[i % ids.len()];
        let binding = client.get(id).await?;
        ensure!(&binding.id == id, "wrong binding");
        black_box(binding);
    }
    Ok(())
}

/// One measurement: CPU per get, in microseconds.
fn measure(mode: Mode, base_url: &str, ids: &[RoleBindingId], n: usize) -> anyhow::Result<f64> {
    let runtime = match mode {
        Mode::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Mode::MultiThreadBlockOn | Mode::MultiThreadSpawn => {
            tokio::runtime::Builder::new_multi_thread()
        }
    }
    .enable_all()
    .build()
    .context("building the runtime")?;
    let client = clients::facade(base_url, API_KEY)?;
    let ids = ids.to_vec();
    let run = async move {
        gets(&client, &ids, WARMUP).await?;
        let before = process_cpu().context("no /proc/self/task")?;
        gets(&client, &ids, n).await?;
        let after = process_cpu().context("no /proc/self/task")?;
        anyhow::Ok(after.saturating_sub(before))
    };
    let cpu = match mode {
        Mode::MultiThreadSpawn => runtime.block_on(async { tokio::spawn(run).await })??,
        Mode::MultiThreadBlockOn | Mode::CurrentThread => runtime.block_on(run)?,
    };
    Ok(cpu.as_secs_f64() * 1e6 / n as f64)
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server cannot start or a call fails.
pub fn run(sizes: &Sizes, fake_server: &Path) -> anyhow::Result<Vec<Row>> {
    let (n, rounds) = if sizes.quick { (50, 1) } else { (2_000, 5) };
    let server = External::spawn(fake_server, DISTINCT_IDS)?;
    let ids: Vec<RoleBindingId> = server
        .binding_ids()
        .iter()
        .map(|id| RoleBindingId::new(id.clone()))
        .collect();
    let mut per_get: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        for k in 0..ALL.len() {
            let mode = ALL[(round + k) % ALL.len()];
            let us = measure(mode, server.base_url(), &ids, n)?;
            per_get[mode as usize].push(us);
        }
    }
    let med = |m: Mode| median(&per_get[m as usize]);
    let (block_on, current, spawn) = (
        med(Mode::MultiThreadBlockOn),
        med(Mode::CurrentThread),
        med(Mode::MultiThreadSpawn),
    );
    let measured = format!(
        "median CPU µs per get over {rounds} round(s) of {n} sequential gets (all client \
         threads): multi-thread block_on {block_on:.1}, current_thread {current:.1}, \
         multi-thread inside tokio::spawn {spawn:.1}"
    );
    Ok(vec![
        Row::ratio(
            "Runtime: CPU per get, multi-thread block_on / current_thread",
            measured.clone(),
            block_on / current,
            Target::Info,
        ),
        Row::ratio(
            "Runtime: CPU per get, multi-thread block_on / inside tokio::spawn",
            measured,
            block_on / spawn,
            Target::Info,
        ),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn process_cpu_advances_with_work() {
        let before = process_cpu().unwrap();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = black_box(x.wrapping_add(i * i));
        }
        black_box(x);
        assert!(process_cpu().unwrap() > before);
    }
}
