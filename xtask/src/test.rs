//! `cargo xtask test`: the project's one test command.
//!
//! Runs [`STEPS`] in order, printing each with its time, and stops at the
//! first failure. To add a step, add a row to the table.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The Stoplight Prism version the conformance suite runs against.
pub const PRISM_VERSION: &str = "5.14.2";

/// The version of Arize's CLI `ax` (PyPI `arize-ax-cli`, which pulls the
/// Python SDK `arize`) the interop step runs against the fake server. The
/// interop run (`tests/src/bin/interop.rs`) checks it is this version.
pub const AX_CLI_VERSION: &str = "0.39.0";

/// The version of Arize's TypeScript client (npm `@arizeai/ax-client`) the
/// interop step runs against the fake server (checked there too).
pub const AX_CLIENT_VERSION: &str = "1.28.0";

/// The time limit of each install command of the interop step.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// One step of `cargo xtask test`.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Short name, used by `--skip`.
    pub name: &'static str,
    /// What it does, as printed.
    pub about: &'static str,
    /// Runs the step.
    pub run: fn(&Context) -> anyhow::Result<()>,
}

/// The steps, in order: fast checks first.
pub const STEPS: &[Step] = &[
    Step {
        name: "lint",
        about: "cargo xtask lint",
        run: |ctx| {
            let spec = ctx.root.join(crate::SPEC);
            let operations = ctx.root.join(crate::OPERATIONS);
            match crate::lint::lint_file(&spec, &operations, crate::OPERATIONS) {
                Ok(summary) => {
                    println!("{summary}");
                    Ok(())
                }
                Err(findings) => {
                    for finding in &findings {
                        eprintln!("lint: {finding}");
                    }
                    bail!("{} lint finding(s)", findings.len())
                }
            }
        },
    },
    Step {
        name: "codegen",
        about: "cargo xtask codegen --check",
        run: |ctx| {
            let outcome = crate::codegen::check(
                &ctx.root.join("openapi/openapi.json"),
                "openapi/openapi.json",
                &ctx.root.join("arize-api/generated"),
            )?;
            if let Some((path, _)) = outcome.stale.first() {
                bail!(
                    "{} is stale; run `cargo xtask codegen`",
                    ctx.relative(path).display()
                );
            }
            Ok(())
        },
    },
    Step {
        name: "prism",
        about: "install Stoplight Prism into target/prism (npm)",
        run: ensure_prism,
    },
    Step {
        name: "test",
        about: "cargo test --workspace",
        run: |ctx| ctx.cargo(&["test", "--workspace"]),
    },
    Step {
        name: "conformance",
        about: "conformance suite against Prism (tests/src/bin/conformance.rs)",
        run: |ctx| {
            let prism = ctx.prism_bin();
            let prism = prism.to_string_lossy();
            ctx.cargo(&[
                "run",
                "--package",
                "arize-tests",
                "--bin",
                "conformance",
                "--",
                "--prism",
                &prism,
            ])
        },
    },
    Step {
        name: "interop",
        about: "Arize's own clients (ax, @arizeai/ax-client) against the fake server (tests/src/bin/interop.rs)",
        run: |ctx| {
            ensure_interop(ctx)?;
            // One build for both (the run also reads an ax-written profile
            // with our CLI): built together they resolve features as one
            // set, so the two binaries do not rebuild shared crates twice.
            ctx.cargo(&[
                "build",
                "--package",
                "arize-tests",
                "--package",
                "arize-access",
                "--bin",
                "interop",
                "--bin",
                "arize-access",
            ])?;
            let bin = ctx.target.join("debug");
            let mut interop = Command::new(bin.join("interop"));
            interop
                .arg("--ax")
                .arg(ctx.ax_bin())
                .arg("--node-dir")
                .arg(ctx.interop_dir().join("node"))
                .arg("--arize-access")
                .arg(bin.join("arize-access"))
                .current_dir(&ctx.root);
            run(interop)
        },
    },
    Step {
        name: "bench-quick",
        about: "cargo xtask bench --quick (smoke run of the benchmark harness)",
        run: |ctx| crate::bench::run(ctx, true),
    },
];

/// What the steps need to know.
#[derive(Debug, Clone)]
pub struct Context {
    /// The workspace root.
    pub root: PathBuf,
    /// The cargo target directory.
    pub target: PathBuf,
    /// The cargo executable (`$CARGO` under `cargo run`).
    pub cargo: OsString,
}

impl Context {
    /// The context for the workspace at `root`.
    pub fn new(root: &Path) -> Self {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|t| if t.is_absolute() { t } else { root.join(t) })
            .unwrap_or_else(|| root.join("target"));
        Self {
            root: root.to_owned(),
            target,
            cargo: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        }
    }

    /// Where Prism is installed.
    pub fn prism_dir(&self) -> PathBuf {
        self.target.join("prism")
    }

    /// The Prism executable (absolute).
    pub fn prism_bin(&self) -> PathBuf {
        self.prism_dir()
            .join("node_modules")
            .join(".bin")
            .join("prism")
    }

    /// Where the interop step installs Arize's clients: `venv/` (`ax`) and
    /// `node/` (`@arizeai/ax-client`).
    pub fn interop_dir(&self) -> PathBuf {
        self.target.join("interop")
    }

    /// The `ax` executable in the interop venv (absolute).
    pub fn ax_bin(&self) -> PathBuf {
        self.interop_dir().join("venv").join("bin").join("ax")
    }

    /// `path` relative to the workspace root, when it is inside it.
    pub fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Runs cargo with `args` in the workspace root.
    ///
    /// # Errors
    ///
    /// When cargo cannot start or exits non-zero.
    pub fn cargo(&self, args: &[&str]) -> anyhow::Result<()> {
        let mut command = Command::new(&self.cargo);
        command.args(args).current_dir(&self.root);
        run(command)
    }
}

fn run(mut command: Command) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn installed_prism_version(bin: &Path) -> Option<String> {
    let output = Command::new(bin).arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Installs [`PRISM_VERSION`] of `@stoplight/prism-cli` into
/// `target/prism` unless that exact version is already there.
///
/// # Errors
///
/// When npm is missing or fails, or Prism still does not run afterwards.
pub fn ensure_prism(ctx: &Context) -> anyhow::Result<()> {
    let bin = ctx.prism_bin();
    if let Some(version) = installed_prism_version(&bin) {
        if version == PRISM_VERSION {
            println!("prism {version} at {}", bin.display());
            return Ok(());
        }
        println!("prism {version} found, {PRISM_VERSION} wanted: reinstalling");
    }
    let dir = ctx.prism_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let manifest = format!(
        "{{\n  \"name\": \"arize-rs-prism\",\n  \"private\": true,\n  \"description\": \"Written by `cargo xtask test`: the Prism mock server for the conformance suite.\",\n  \"dependencies\": {{\n    \"@stoplight/prism-cli\": \"{PRISM_VERSION}\"\n  }}\n}}\n"
    );
    std::fs::write(dir.join("package.json"), manifest)
        .with_context(|| format!("cannot write {}/package.json", dir.display()))?;
    let mut npm = Command::new("npm");
    npm.arg("install")
        .arg("--prefix")
        .arg(&dir)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .arg(format!("@stoplight/prism-cli@{PRISM_VERSION}"))
        .current_dir(&ctx.root);
    run(npm).context("installing Prism needs Node.js and npm on PATH (https://nodejs.org)")?;
    match installed_prism_version(&bin) {
        Some(version) if version == PRISM_VERSION => {
            println!("prism {version} installed at {}", bin.display());
            Ok(())
        }
        Some(version) => bail!("npm installed prism {version}, not {PRISM_VERSION}"),
        None => bail!("npm finished but {} does not run", bin.display()),
    }
}

/// Runs `command` like [`run`], killing it after `limit`.
fn run_bounded(mut command: Command, limit: Duration) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {shown}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .with_context(|| format!("waiting for {shown}"))?
        {
            if !status.success() {
                bail!("{shown} failed ({status})");
            }
            return Ok(());
        }
        if started.elapsed() > limit {
            // Best effort: the error below is what matters.
            let _ = child.kill();
            let _ = child.wait();
            bail!("{shown} did not finish within {}s", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The version of Python package `name` installed for `python`.
fn installed_python_package(python: &Path, name: &str) -> Option<String> {
    let output = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
            name,
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The version of the npm package installed in `dir/node_modules/name`.
fn installed_npm_package(dir: &Path, name: &str) -> Option<String> {
    let manifest = dir.join("node_modules").join(name).join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("version")?.as_str().map(str::to_owned)
}

/// Installs [`AX_CLI_VERSION`] of `arize-ax-cli` into the venv
/// `target/interop/venv` and [`AX_CLIENT_VERSION`] of `@arizeai/ax-client`
/// into `target/interop/node`, each unless that exact version is already
/// there.
///
/// # Errors
///
/// When python3 (with venv and pip) or npm is missing or fails, or the
/// wanted version is still not there afterwards.
pub fn ensure_interop(ctx: &Context) -> anyhow::Result<()> {
    let dir = ctx.interop_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let venv = dir.join("venv");
    let python = venv.join("bin").join("python");
    match installed_python_package(&python, "arize-ax-cli") {
        Some(version) if version == AX_CLI_VERSION && ctx.ax_bin().exists() => {
            println!("arize-ax-cli {version} at {}", ctx.ax_bin().display());
        }
        found => {
            if let Some(version) = found {
                println!("arize-ax-cli {version} found, {AX_CLI_VERSION} wanted: reinstalling");
            }
            if !python.exists() {
                let mut create = Command::new("python3");
                create.arg("-m").arg("venv").arg(&venv);
                run_bounded(create, INSTALL_TIMEOUT).context(
                    "the interop step needs python3 with venv and pip (Debian/Ubuntu: apt-get install python3-venv)",
                )?;
            }
            let mut pip = Command::new(&python);
            pip.args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
            ])
            .arg(format!("arize-ax-cli=={AX_CLI_VERSION}"));
            run_bounded(pip, INSTALL_TIMEOUT).context("installing arize-ax-cli from PyPI")?;
            match installed_python_package(&python, "arize-ax-cli") {
                Some(version) if version == AX_CLI_VERSION && ctx.ax_bin().exists() => {
                    println!(
                        "arize-ax-cli {version} installed at {}",
                        ctx.ax_bin().display()
                    );
                }
                Some(version) => {
                    bail!("pip installed arize-ax-cli {version}, not {AX_CLI_VERSION}")
                }
                None => bail!("pip finished but arize-ax-cli is not in {}", venv.display()),
            }
        }
    }

    let node = dir.join("node");
    let package = "@arizeai/ax-client";
    match installed_npm_package(&node, package) {
        Some(version) if version == AX_CLIENT_VERSION => {
            println!("{package} {version} at {}", node.display());
        }
        found => {
            if let Some(version) = found {
                println!("{package} {version} found, {AX_CLIENT_VERSION} wanted: reinstalling");
            }
            std::fs::create_dir_all(&node)
                .with_context(|| format!("cannot create {}", node.display()))?;
            let manifest = format!(
                "{{\n  \"name\": \"arize-rs-interop\",\n  \"private\": true,\n  \"description\": \"Written by `cargo xtask test`: Arize's TypeScript client for the interop run.\",\n  \"dependencies\": {{\n    \"{package}\": \"{AX_CLIENT_VERSION}\"\n  }}\n}}\n"
            );
            std::fs::write(node.join("package.json"), manifest)
                .with_context(|| format!("cannot write {}/package.json", node.display()))?;
            let mut npm = Command::new("npm");
            npm.arg("install")
                .arg("--prefix")
                .arg(&node)
                .args(["--no-audit", "--no-fund", "--save-exact"])
                .arg(format!("{package}@{AX_CLIENT_VERSION}"))
                .current_dir(&ctx.root);
            run_bounded(npm, INSTALL_TIMEOUT)
                .context("installing @arizeai/ax-client needs Node.js and npm on PATH")?;
            match installed_npm_package(&node, package) {
                Some(version) if version == AX_CLIENT_VERSION => {
                    println!("{package} {version} installed at {}", node.display());
                }
                Some(version) => {
                    bail!("npm installed {package} {version}, not {AX_CLIENT_VERSION}")
                }
                None => bail!("npm finished but {package} is not in {}", node.display()),
            }
        }
    }
    Ok(())
}

/// Runs every step not in `skip`, in order; stops at the first failure.
///
/// # Errors
///
/// The first failing step's error, or an unknown name in `skip`.
pub fn run_steps(ctx: &Context, skip: &[String]) -> anyhow::Result<()> {
    for name in skip {
        if !STEPS.iter().any(|step| step.name == name) {
            let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
            bail!("unknown step {name:?}; steps are {}", names.join(", "));
        }
    }
    let started = Instant::now();
    let total = STEPS.len();
    for (index, step) in STEPS.iter().enumerate() {
        let number = index + 1;
        if skip.iter().any(|s| s == step.name) {
            println!("==> [{number}/{total}] {}: skipped", step.name);
            continue;
        }
        println!("==> [{number}/{total}] {}: {}", step.name, step.about);
        let step_started = Instant::now();
        let result = (step.run)(ctx);
        let took = step_started.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("==> [{number}/{total}] {}: ok in {took:.1}s", step.name),
            Err(error) => {
                println!("==> [{number}/{total}] {}: FAILED in {took:.1}s", step.name);
                return Err(error.context(format!("step {} failed", step.name)));
            }
        }
    }
    println!(
        "==> all steps passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
