//! Build cost: wall time of a clean `cargo build -p arize-role-bindings`
//! (dev profile) in a target directory of its own (so the main target is
//! not disturbed), then of the rebuild after touching one facade file, whose
//! `cargo build -v` output is checked: the generator (arize-api's build
//! script) must not rerun.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, bail};

use crate::Paths;
use crate::report::Row;

/// The facade file that is touched, relative to the workspace.
const TOUCHED: &str = "arize-role-bindings/src/error.rs";

fn cargo_build(paths: &Paths, verbose: bool) -> anyhow::Result<(Duration, Output)> {
    let mut command = Command::new(&paths.cargo);
    command
        .args(["build", "-p", "arize-role-bindings"])
        .current_dir(&paths.workspace)
        .env("CARGO_TARGET_DIR", &paths.build_dir)
        .env_remove("CARGO_BUILD_TARGET_DIR");
    if verbose {
        command.arg("-v");
    }
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", paths.cargo.display()))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        bail!(
            "cargo build -p arize-role-bindings failed ({}): {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    Ok((elapsed, output))
}

/// Sets the file's modification time to now (content unchanged).
fn touch(path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.set_modified(SystemTime::now())
        .with_context(|| format!("cannot touch {}", path.display()))
}

/// What `cargo build -v` says about a rebuild.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RebuildLog {
    /// Packages cargo compiled (`Compiling <name> ...`).
    pub compiled: Vec<String>,
    /// Packages whose build script ran (`Running .../build/<pkg>-<hash>/build-script-build`).
    pub build_scripts_run: Vec<String>,
    /// Whether cargo reported `arize-api` as `Fresh`.
    pub api_fresh: bool,
}

/// The package name in `.../build/<name>-<hash>/build-script-build`.
fn build_script_package(line: &str) -> Option<String> {
    let at = line.find("build-script-build")?;
    let dir = line[..at].trim_end_matches(['/', '\\']);
    let dir = dir.rsplit(['/', '\\']).next()?;
    let (name, hash) = dir.rsplit_once('-')?;
    hash.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| name.to_owned())
}

/// Reads `cargo build -v`'s stderr.
pub fn parse_rebuild_log(stderr: &str) -> RebuildLog {
    let mut log = RebuildLog::default();
    for line in stderr.lines().map(str::trim_start) {
        if let Some(rest) = line.strip_prefix("Compiling ") {
            if let Some(name) = rest.split_whitespace().next() {
                log.compiled.push(name.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("Fresh ") {
            if rest.split_whitespace().next() == Some("arize-api") {
                log.api_fresh = true;
            }
        } else if line.starts_with("Running ") {
            // `Running `…/build/arize-api-<hash>/build-script-build`` runs a
            // build script; `Running `rustc …`` compiles a crate.
            if let Some(package) = build_script_package(line) {
                log.build_scripts_run.push(package);
            }
        }
    }
    log
}

/// Runs the scenario.
///
/// # Errors
///
/// When cargo fails or the touched file is missing.
pub fn run(paths: &Paths) -> anyhow::Result<Vec<Row>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if paths.build_dir.exists() {
        std::fs::remove_dir_all(&paths.build_dir)
            .with_context(|| format!("cannot empty {}", paths.build_dir.display()))?;
    }
    eprintln!(
        "arize-bench: clean build of arize-role-bindings in {} (takes minutes)",
        paths.build_dir.display()
    );
    let (clean, _) = cargo_build(paths, false)?;
    touch(&paths.workspace.join(TOUCHED))?;
    let (rebuild, output) = cargo_build(paths, true)?;
    let log = parse_rebuild_log(&String::from_utf8_lossy(&output.stderr));
    let generator_reran = log.build_scripts_run.iter().any(|p| p == "arize-api");
    let scripts = if log.build_scripts_run.is_empty() {
        "none".to_owned()
    } else {
        log.build_scripts_run.join(", ")
    };
    let target_dir = paths
        .build_dir
        .strip_prefix(&paths.workspace)
        .unwrap_or(&paths.build_dir)
        .display()
        .to_string();
    Ok(vec![
        Row::info(
            "Build cost: clean `cargo build -p arize-role-bindings`",
            format!(
                "{:.1} s on {cores} core(s), dev profile, every dependency included, \
                 CARGO_TARGET_DIR={target_dir}",
                clean.as_secs_f64()
            ),
        ),
        Row::info(
            format!("Build cost: rebuild after touching {TOUCHED}"),
            format!(
                "{:.1} s on {cores} core(s); recompiled: {}; build scripts run: {scripts}",
                rebuild.as_secs_f64(),
                if log.compiled.is_empty() {
                    "nothing".to_owned()
                } else {
                    log.compiled.join(", ")
                },
            ),
        ),
        Row::holds(
            "Build cost: the generator does not rerun on a facade edit",
            format!(
                "arize-api build script rerun: {}; arize-api reported Fresh: {}",
                if generator_reran { "yes" } else { "no" },
                if log.api_fresh { "yes" } else { "no" },
            ),
            !generator_reran && log.api_fresh,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_verbose_output() {
        let stderr = "\
       Fresh proc-macro2 v1.0.95
       Fresh arize-api v0.1.0 (/w/arize-api)
   Compiling arize-role-bindings v0.1.0 (/w/arize-role-bindings)
     Running `/w/target/bench/build/debug/build/arize-role-bindings-0123abcd/build-script-build`
     Running `/home/u/.rustup/bin/rustc --crate-name arize_role_bindings --edition=2024 arize-role-bindings/src/lib.rs`
    Finished `dev` profile [unoptimized + debuginfo] target(s) in 3.02s
";
        let log = parse_rebuild_log(stderr);
        assert_eq!(log.compiled, ["arize-role-bindings"]);
        assert_eq!(log.build_scripts_run, ["arize-role-bindings"]);
        assert!(log.api_fresh);
    }

    #[test]
    fn sees_the_generator_rerun() {
        let stderr = "   Compiling arize-api v0.1.0 (/w/arize-api)\n     Running `/w/t/debug/build/arize-api-9f8e7d6c5b4a3210/build-script-build`\n";
        let log = parse_rebuild_log(stderr);
        assert_eq!(log.build_scripts_run, ["arize-api"]);
        assert!(!log.api_fresh);
    }
}
