//! `cargo xtask bench [--quick]`: builds `arize-bench`, `arize-fake-server`
//! and `arize-access` (release; debug with `--quick`) and runs the
//! harness, which prints the table of ratios and writes
//! `target/bench/report.md` (`report-quick.md` with `--quick`).
//!
//! A missed target is printed as MISS but is not a failure; a scenario that
//! errors (or counts wrong) is.

use std::process::Command;

use anyhow::{Context as _, bail};

use crate::test::Context;

/// Builds and runs the benchmark harness.
///
/// # Errors
///
/// When the build fails or the harness reports a failed scenario.
pub fn run(ctx: &Context, quick: bool) -> anyhow::Result<()> {
    run_with(ctx, quick, &[])
}

/// [`run`], with extra arguments for arize-bench (e.g. `--only cold-build`).
///
/// # Errors
///
/// As [`run`].
pub fn run_with(ctx: &Context, quick: bool, args: &[String]) -> anyhow::Result<()> {
    let mut build = vec![
        "build",
        "-p",
        "arize-bench",
        "-p",
        "arize-fake-server",
        "-p",
        "arize-access",
    ];
    if !quick {
        build.push("--release");
    }
    ctx.cargo(&build)?;
    let dir = ctx.target.join(if quick { "debug" } else { "release" });
    let exe = |name: &str| dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let report = ctx.target.join("bench").join(if quick {
        "report-quick.md"
    } else {
        "report.md"
    });
    let mut command = Command::new(exe("arize-bench"));
    command
        .arg("--fake-server")
        .arg(exe("arize-fake-server"))
        .arg("--workspace")
        .arg(&ctx.root)
        .arg("--cargo")
        .arg(&ctx.cargo)
        .arg("--report")
        .arg(&report)
        .current_dir(&ctx.root);
    if quick {
        command.arg("--quick");
    }
    command.args(args);
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", exe("arize-bench").display()))?;
    if !status.success() {
        bail!("arize-bench failed ({status}): a scenario errored; see the ERROR rows above");
    }
    Ok(())
}
