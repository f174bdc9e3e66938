//! `cargo xtask`: the project's task runner. `cargo xtask --help` lists the
//! tasks; each has its own `--help`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{GENERATED, OPERATIONS, SPEC, bench, codegen, lint, spec, test, workspace_root};

/// Project tasks for arize-rs. Relative paths given on the command line are
/// relative to the current directory; defaults are inside the workspace.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Refresh openapi/openapi.json from Arize's full API document.
    ///
    /// Keeps the operations listed in openapi/operations.txt (by
    /// operationId) and every component they reference, transitively, plus
    /// info, servers, security,
    /// the tags they use and `x-` extensions; writes sorted, 2-space JSON.
    /// Running it on its own output changes nothing. OpenAPI 3.1 input is
    /// refused (progenitor reads 3.0 only).
    Spec {
        /// Arize's full OpenAPI 3.0 document, JSON or YAML.
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// Where to write the subset [default: openapi/openapi.json].
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// The operations to keep, one operationId a line
        /// [default: openapi/operations.txt].
        #[arg(long, value_name = "PATH")]
        operations: Option<PathBuf>,
    },
    /// Write the generated client and httpmock helpers to
    /// arize-api/generated/ (a committed, reviewable snapshot), and the copy
    /// of the spec that arize-api's build script reads to arize-api/openapi.json.
    Codegen {
        /// Write nothing; fail, naming the file, if the snapshot is stale.
        #[arg(long)]
        check: bool,
        /// The spec to generate from [default: openapi/openapi.json].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The snapshot directory [default: arize-api/generated]; the spec
        /// copy goes to its parent directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Check the spec: OpenAPI 3.0, $refs resolve, operationIds,
    /// problem+json errors, bounded integer query parameters, Retry-After
    /// on 429, exactly the operations of openapi/operations.txt. Each error
    /// names the JSON pointer that is wrong.
    Lint {
        /// The spec to lint [default: openapi/openapi.json].
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// The operations the spec must hold, one operationId a line
        /// [default: openapi/operations.txt].
        #[arg(long, value_name = "PATH")]
        operations: Option<PathBuf>,
    },
    /// Run the project's test suite: lint, codegen --check, Prism install,
    /// cargo test --workspace, the conformance suite, a smoke run of the
    /// benchmark harness (bench --quick). Stops at the first failure.
    Test {
        /// Skip a step by name (repeatable); see --list.
        #[arg(long, value_name = "STEP")]
        skip: Vec<String>,
        /// List the steps and exit.
        #[arg(long)]
        list: bool,
    },
    /// Build arize-bench and arize-fake-server in release and run every
    /// benchmark scenario; prints the ratios next to their targets and
    /// writes target/bench/report.md. Takes a few minutes.
    Bench {
        /// Tiny sizes, debug build, no build-cost scenario: a smoke run in
        /// seconds (target/bench/report-quick.md); targets not enforced.
        #[arg(long)]
        quick: bool,
        /// Passed on to arize-bench, e.g. `-- --only cold-build`
        /// (`cargo run -p arize-bench -- --help` lists them).
        #[arg(last = true, value_name = "ARIZE_BENCH_ARGS")]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `path` as given (relative to the current directory), or `default`
/// inside the workspace.
fn path_or(path: Option<PathBuf>, root: &Path, default: &str) -> PathBuf {
    match path {
        Some(path) if path.is_absolute() => path,
        Some(path) => std::env::current_dir()
            .map(|cwd| cwd.join(&path))
            .unwrap_or(path),
        None => root.join(default),
    }
}

/// How to name `path` in messages: relative to the root when inside it.
fn label(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn run(task: Task) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    match task {
        Task::Spec {
            from,
            out,
            operations,
        } => {
            let from = path_or(Some(from), &root, SPEC);
            let out = path_or(out, &root, SPEC);
            let operations = path_or(operations, &root, OPERATIONS);
            let outcome = spec::run(&from, &out, &operations)?;
            print!("{}", outcome.report);
            println!(
                "spec: {} {} ({} bytes)",
                if outcome.changed {
                    "wrote"
                } else {
                    "unchanged"
                },
                label(&out, &root),
                outcome.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Task::Codegen {
            check,
            spec,
            out_dir,
        } => {
            let spec = path_or(spec, &root, SPEC);
            let out_dir = path_or(out_dir, &root, GENERATED);
            let spec_label = label(&spec, &root);
            let outcome = if check {
                codegen::check(&spec, &spec_label, &out_dir)?
            } else {
                codegen::write(&spec, &spec_label, &out_dir)?
            };
            for (path, lines) in &outcome.files {
                println!("codegen: {} ({lines} lines)", label(path, &root));
            }
            println!(
                "codegen: {} lines generated in {:.2}s",
                outcome.total_lines(),
                outcome.elapsed.as_secs_f64()
            );
            if check {
                for (path, line) in &outcome.stale {
                    match line {
                        Some(line) => eprintln!(
                            "codegen: {} is stale (first difference at line {line}); run `cargo xtask codegen`",
                            label(path, &root)
                        ),
                        None => eprintln!(
                            "codegen: {} is missing; run `cargo xtask codegen`",
                            label(path, &root)
                        ),
                    }
                }
                if !outcome.stale.is_empty() {
                    return Ok(ExitCode::FAILURE);
                }
                println!("codegen: snapshot is up to date");
            } else {
                for (path, _) in &outcome.stale {
                    println!("codegen: updated {}", label(path, &root));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Task::Lint { spec, operations } => {
            let spec = path_or(spec, &root, SPEC);
            let operations = path_or(operations, &root, OPERATIONS);
            match lint::lint_file(&spec, &operations, &label(&operations, &root)) {
                Ok(summary) => {
                    println!("{summary}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(findings) => {
                    for finding in &findings {
                        eprintln!("lint: error at {finding}");
                    }
                    eprintln!(
                        "lint: {} error(s) in {}",
                        findings.len(),
                        label(&spec, &root)
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Task::Test { skip, list } => {
            if list {
                for step in test::STEPS {
                    println!("{:<12} {}", step.name, step.about);
                }
                return Ok(ExitCode::SUCCESS);
            }
            test::run_steps(&test::Context::new(&root), &skip)?;
            Ok(ExitCode::SUCCESS)
        }
        Task::Bench { quick, args } => {
            bench::run_with(&test::Context::new(&root), quick, &args)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
