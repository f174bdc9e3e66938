//! Client cost in instructions: `arize-bench client-loop` under
//! `valgrind --tool=callgrind`, against `arize-fake-server` in another
//! process. Instruction counts do not depend on other load on the machine,
//! so this is the steady measure of what each client layer costs; it
//! counts the client only (not the server, not the network). Each client
//! runs `k` and `2k` units; the difference is the cost of `k` units
//! without start-up. Skipped when valgrind is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::Sizes;
use crate::clients::API_KEY;
use crate::profile::{LoopClient, LoopOp};
use crate::report::{Row, Target};
use crate::server::External;
use crate::stats::thousands;

/// Whether `valgrind` can be run.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn name(client: LoopClient) -> &'static str {
    match client {
        LoopClient::Raw => "raw",
        LoopClient::Generated => "generated",
        LoopClient::Facade => "facade",
    }
}

/// Instructions executed by one `client-loop` run.
fn instructions(
    out_dir: &Path,
    base_url: &str,
    client: LoopClient,
    op: LoopOp,
    count: usize,
) -> anyhow::Result<u64> {
    let exe = std::env::current_exe().context("locating arize-bench")?;
    let op_name = match op {
        LoopOp::Get => "get",
        LoopOp::List => "list",
    };
    let out_file = out_dir.join(format!("callgrind.{}.{op_name}.{count}.out", name(client)));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(&exe)
        .args(["client-loop", "--base-url", base_url, "--api-key", API_KEY])
        .args(["--client", name(client), "--op", op_name])
        .arg("--count")
        .arg(count.to_string())
        .output()
        .context("running valgrind")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(10).collect();
        bail!(
            "callgrind client-loop --client {} --op {op_name} failed ({}): {}",
            name(client),
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    parse_collected(&stderr).with_context(|| format!("no instruction count in: {stderr}"))
}

/// `==123== Collected : 102053865` → 102053865.
fn parse_collected(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let (_, rest) = line.split_once("Collected :")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server or valgrind fails.
pub fn run(sizes: &Sizes, fake_server: &Path, out_dir: &Path) -> anyhow::Result<Vec<Row>> {
    if !available() {
        return Ok(vec![Row::info(
            "Client cost in instructions (callgrind)",
            "skipped: valgrind is not installed",
        )]);
    }
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let (bindings, gets, walks) = if sizes.quick {
        (200, 20, 1)
    } else {
        (1_000, 500, 2)
    };
    let server = External::spawn(fake_server, bindings)?;
    let clients = [LoopClient::Raw, LoopClient::Generated, LoopClient::Facade];
    let mut rows = Vec::new();
    for (op, k, unit, per) in [
        (LoopOp::Get, gets, "get", 1usize),
        (LoopOp::List, walks, "binding listed", bindings),
    ] {
        let mut per_unit = [0f64; 3];
        for (i, client) in clients.into_iter().enumerate() {
            let once = instructions(out_dir, server.base_url(), client, op, k)?;
            let twice = instructions(out_dir, server.base_url(), client, op, 2 * k)?;
            if twice <= once {
                bail!(
                    "{} {op:?}: {twice} instructions for 2×{k} ≤ {once} for {k}",
                    name(client)
                );
            }
            per_unit[i] = (twice - once) as f64 / (k * per) as f64;
        }
        let [raw, generated, facade] = per_unit;
        let label = match op {
            LoopOp::Get => "Request overhead: facade / raw (client instructions, callgrind)",
            LoopOp::List => "Listing: facade / raw (client instructions, callgrind)",
        };
        rows.push(Row::ratio(
            label,
            format!(
                "instructions per {unit} in the client process: raw {}, generated {}, facade {} \
                 (generated / raw {:.3}); {k} vs {} units, the difference",
                thousands(raw),
                thousands(generated),
                thousands(facade),
                generated / raw,
                2 * k
            ),
            facade / raw,
            Target::Info,
        ));
    }
    Ok(rows)
}

/// Where the callgrind files go.
pub fn out_dir(bench_dir: &Path) -> PathBuf {
    bench_dir.join("callgrind")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_collected_line() {
        let stderr = "==9== Callgrind, a call-graph generating cache profiler\n==9== Events    : Ir\n==9== Collected : 102053865\n==9==\n==9== I   refs:      102,053,865\n";
        assert_eq!(parse_collected(stderr), Some(102_053_865));
        assert_eq!(parse_collected("nothing"), None);
    }
}
