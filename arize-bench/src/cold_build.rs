//! Cold build of a tiny app that depends on `arize-role-bindings`, once per
//! TLS feature, each in a fresh target directory: what a new user waits for
//! after `cargo add arize-role-bindings` (dev profile, every dependency
//! compiled, build scripts included). The default feature set is held to
//! the project's target, **at most 120 s on 2 cores**; the others are
//! reported next to it as ratios to the default.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::Paths;
use crate::report::{Row, Target};

/// The target for the default features, on 2 cores.
pub const DEFAULT_TARGET: Duration = Duration::from_secs(120);

/// The TLS choices measured: (label, `default-features`, features).
pub const VARIANTS: [(&str, bool, &str); 3] = [
    ("default (rustls-ring)", true, ""),
    ("rustls-aws-lc-rs", false, "rustls-aws-lc-rs"),
    ("native-tls", false, "native-tls"),
];

/// The app's manifest: a package outside our workspace that depends on the
/// facade by path, as `cargo add` would from crates.io.
pub fn manifest(facade: &Path, default_features: bool, features: &str) -> String {
    let features = if features.is_empty() {
        String::new()
    } else {
        format!(", features = [\"{features}\"]")
    };
    format!(
        "[package]\nname = \"cold-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\narize-role-bindings = {{ path = {path:?}, default-features = {default_features}{features} }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n\
         # Not a member of the arize-rs workspace above it.\n[workspace]\n",
        path = facade.display().to_string(),
    )
}

/// The app: builds a client and makes one call (to a closed port).
pub const MAIN: &str = r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = arize_role_bindings::Client::builder()
        .api_key("not-a-key")
        .base_url("http://127.0.0.1:9")
        .build()?;
    let id: arize_role_bindings::RoleBindingId = "Um9sZUJpbmRpbmc6MTphQmNE".parse()?;
    let answer = client.get(&id).await;
    println!("{}", answer.is_ok());
    Ok(())
}
"#;

/// CPU time (user + system) of this process's waited-for children so far
/// (Linux: `cutime` + `cstime` of `/proc/self/stat`, in USER_HZ = 100
/// ticks): cargo waits for its rustc and build-script children, so this
/// covers the whole build. `None` elsewhere.
pub fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_children_cpu(&stat)
}

/// `cutime` + `cstime` of a `/proc/<pid>/stat` line.
pub fn parse_children_cpu(stat: &str) -> Option<Duration> {
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); cutime is field 16, cstime field 17.
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// One measured build.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Wall time of `cargo build`.
    pub elapsed: Duration,
    /// CPU time of the build (every process), if known.
    pub cpu: Option<Duration>,
    /// Packages cargo compiled.
    pub compiled: usize,
}

fn build(
    paths: &Paths,
    dir: &Path,
    default_features: bool,
    features: &str,
) -> anyhow::Result<Measured> {
    let app = dir.join("app");
    let target = dir.join("target");
    for d in [&app, &target] {
        if d.exists() {
            std::fs::remove_dir_all(d).with_context(|| format!("cannot empty {}", d.display()))?;
        }
    }
    std::fs::create_dir_all(app.join("src"))?;
    let facade = paths.workspace.join("arize-role-bindings");
    std::fs::write(
        app.join("Cargo.toml"),
        manifest(&facade, default_features, features),
    )?;
    std::fs::write(app.join("src/main.rs"), MAIN)?;
    // The workspace's lock file: the same dependency versions as ours
    // (cargo drops what the app does not use).
    std::fs::copy(paths.workspace.join("Cargo.lock"), app.join("Cargo.lock"))
        .context("copying Cargo.lock")?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new(&paths.cargo)
        .args(["build", "--quiet", "--message-format=short"])
        .arg("--manifest-path")
        .arg(app.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .with_context(|| format!("cannot run {}", paths.cargo.display()))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&target);
    }
    let cpu = match (cpu_before, children_cpu()) {
        (Some(a), Some(b)) => b.checked_sub(a),
        _ => None,
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        bail!(
            "cold build of the app ({}) failed ({}): {}",
            if features.is_empty() {
                "default"
            } else {
                features
            },
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let compiled = count_units(&target);
    // A cold target directory is ~1 GB: do not keep it.
    let _ = std::fs::remove_dir_all(&target);
    Ok(Measured {
        elapsed,
        cpu,
        compiled,
    })
}

/// Packages compiled, counted from the `.fingerprint` directory (one entry
/// per unit; build-script runs have their own entries too).
fn count_units(target: &Path) -> usize {
    std::fs::read_dir(target.join("debug").join(".fingerprint"))
        .map(|d| d.filter_map(Result::ok).count())
        .unwrap_or(0)
}

/// Where each variant's app and target directory live.
pub fn variant_dir(paths: &Paths, features: &str) -> PathBuf {
    let name = if features.is_empty() {
        "default"
    } else {
        features
    };
    paths.build_dir.with_file_name("cold").join(name)
}

/// Runs the scenario.
///
/// # Errors
///
/// When cargo fails.
pub fn run(paths: &Paths) -> anyhow::Result<Vec<Row>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut rows = Vec::new();
    let mut default: Option<Duration> = None;
    for (label, default_features, features) in VARIANTS {
        eprintln!("arize-bench: cold build of a dependent app, {label} (takes minutes)");
        let scenario = format!("Cold build of an app depending on arize-role-bindings: {label}");
        // One variant failing (a missing system library, a full disk) does
        // not lose the others' figures.
        let measured = match build(
            paths,
            &variant_dir(paths, features),
            default_features,
            features,
        ) {
            Ok(measured) => measured,
            Err(error) => {
                eprintln!("arize-bench: {label} FAILED: {error:#}");
                rows.push(Row::error(scenario, &error));
                continue;
            }
        };
        let secs = measured.elapsed.as_secs_f64();
        let measured_text = format!(
            "{secs:.1} s wall on {cores} core(s) ({} s CPU), {} units compiled, dev profile, \
             fresh target dir",
            measured
                .cpu
                .map_or_else(|| "n/a".to_owned(), |c| format!("{:.0}", c.as_secs_f64())),
            measured.compiled
        );
        eprintln!("arize-bench: {label}: {measured_text}");
        if !default_features {
            if let Some(base) = default {
                rows.push(Row::ratio(
                    format!("{scenario} (÷ default)"),
                    measured_text,
                    secs / base.as_secs_f64(),
                    Target::Info,
                ));
                continue;
            }
            rows.push(Row::info(scenario, measured_text));
            continue;
        }
        default = Some(measured.elapsed);
        // The target is stated for 2 cores; elsewhere it is information.
        let target = if cores == 2 {
            Target::AtMost(1.0)
        } else {
            Target::Info
        };
        rows.push(Row::ratio(
            format!("{scenario} (÷ the 120 s target)"),
            measured_text,
            secs / DEFAULT_TARGET.as_secs_f64(),
            target,
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_children_cpu_from_proc_stat() {
        let stat = "42 (cargo (x) y) S 1 42 42 0 -1 4194304 10 20 0 0 5 6 1234 566 20 0 1 0";
        assert_eq!(
            parse_children_cpu(stat),
            Some(Duration::from_millis(18_000))
        );
        assert_eq!(parse_children_cpu("garbage"), None);
    }

    #[test]
    fn the_manifest_picks_the_features() {
        let m = manifest(Path::new("/w/arize-role-bindings"), false, "native-tls");
        assert!(m.contains(
            "arize-role-bindings = { path = \"/w/arize-role-bindings\", default-features = false, features = [\"native-tls\"] }"
        ));
        assert!(m.contains("\n[workspace]\n"));
        let m = manifest(Path::new("/w/a"), true, "");
        assert!(m.contains("default-features = true }"));
    }
}
