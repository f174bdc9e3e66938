//! `arize-bench`: the benchmark harness behind `cargo xtask bench`.
//!
//! Without a subcommand it runs every scenario and prints the report
//! (also written to `--report`). `stream-rss` and `plan-rss` are the child
//! processes of the memory scenario.
//!
//! A command-line tool: printing is its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use arize_bench::profile::{self, LoopClient, LoopOp};
use arize_bench::report::{Report, Row};
use arize_bench::rss::{self, StreamClient};
use arize_bench::server::Placement;
use arize_bench::{
    Paths, Sizes, access, build_cost, bulk, cli_export, cold_build, instructions, listing, memory,
    overhead, read_ahead, runtimes,
};
use clap::{Parser, Subcommand, ValueEnum};

/// Benchmarks arize-role-bindings against the generated client and raw
/// reqwest, on the fake server.
#[derive(Debug, Parser)]
#[command(name = "arize-bench", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Tiny sizes, no build cost, no callgrind: checks the harness in seconds. Targets
    /// are shown but not meaningful.
    #[arg(long)]
    quick: bool,
    /// Run only these scenarios (repeatable).
    #[arg(long, value_enum)]
    only: Vec<Scenario>,
    /// Skip these scenarios (repeatable).
    #[arg(long, value_enum)]
    skip: Vec<Scenario>,
    /// Where to write the Markdown report [default:
    /// target/bench/report.md, or report-quick.md with --quick].
    #[arg(long)]
    report: Option<PathBuf>,
    /// Where the fake server of the overhead and listing scenarios runs.
    #[arg(long, value_enum, default_value = "process")]
    server: Placement,
    /// The arize-fake-server executable [default: next to this one].
    #[arg(long)]
    fake_server: Option<PathBuf>,
    /// The workspace root [default: where arize-bench was built from].
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// The cargo executable [default: $CARGO, else cargo].
    #[arg(long)]
    cargo: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Overhead,
    Runtime,
    Listing,
    Instructions,
    Memory,
    ReadAhead,
    Bulk,
    Access,
    CliExport,
    BuildCost,
    ColdBuild,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Stream every SPACE binding from a running fake server and print this
    /// process's peak RSS as one JSON line (the memory scenario's child).
    StreamRss {
        /// The fake server's base URL.
        #[arg(long)]
        base_url: String,
        /// The bearer key.
        #[arg(long, default_value = arize_bench::clients::API_KEY)]
        api_key: String,
        /// Bindings expected (a different count is an error).
        #[arg(long)]
        count: usize,
        /// Page size.
        #[arg(long, default_value_t = 100)]
        page: u32,
        /// Which client streams.
        #[arg(long, value_enum, default_value = "facade")]
        client: StreamClient,
    },
    /// Plan an authoritative file of space grants (`user<TAB>role<TAB>space`
    /// lines) against a running fake server, with IDs only, and print this
    /// process's peak RSS before and after the plan as one JSON line (the
    /// memory scenario's child).
    PlanRss {
        /// The fake server's base URL.
        #[arg(long)]
        base_url: String,
        /// The bearer key.
        #[arg(long, default_value = arize_bench::clients::API_KEY)]
        api_key: String,
        /// The grants file.
        #[arg(long)]
        grants: PathBuf,
        /// Bindings the plan must hold (a different count is an error).
        #[arg(long)]
        count: usize,
    },
    /// One client repeating one operation against a running fake server,
    /// nothing else: the unit to profile (callgrind, perf). Prints the
    /// number of bindings received.
    ClientLoop {
        /// The fake server's base URL.
        #[arg(long)]
        base_url: String,
        /// The bearer key.
        #[arg(long, default_value = arize_bench::clients::API_KEY)]
        api_key: String,
        /// Which client.
        #[arg(long, value_enum)]
        client: LoopClient,
        /// Which operation.
        #[arg(long, value_enum)]
        op: LoopOp,
        /// Gets, or walks over every SPACE binding.
        #[arg(long)]
        count: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Cmd::StreamRss {
            base_url,
            api_key,
            count,
            page,
            client,
        }) => rss::stream_rss(&base_url, &api_key, count, page, client).and_then(|report| {
            println!("{}", serde_json::to_string(&report)?);
            Ok(true)
        }),
        Some(Cmd::PlanRss {
            base_url,
            api_key,
            grants,
            count,
        }) => rss::plan_rss(&base_url, &api_key, &grants, count).and_then(|report| {
            println!("{}", serde_json::to_string(&report)?);
            Ok(true)
        }),
        Some(Cmd::ClientLoop {
            base_url,
            api_key,
            client,
            op,
            count,
        }) => profile::client_loop(&base_url, &api_key, client, op, count).map(|received| {
            println!("{received}");
            true
        }),
        None => run(cli.run),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("arize-bench: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the scenarios; `Ok(false)` when one of them failed.
fn run(args: RunArgs) -> anyhow::Result<bool> {
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let workspace = match args.workspace {
        Some(w) => w,
        None => {
            let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            manifest.parent().map(PathBuf::from).unwrap_or(manifest)
        }
    };
    let bench_dir = workspace.join("target").join("bench");
    let exe = std::env::current_exe().context("locating arize-bench")?;
    let paths = Paths {
        fake_server: args.fake_server.unwrap_or_else(|| {
            exe.with_file_name(format!("arize-fake-server{}", std::env::consts::EXE_SUFFIX))
        }),
        cargo: args
            .cargo
            .or_else(|| std::env::var_os("CARGO").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("cargo")),
        build_dir: bench_dir.join("build"),
        callgrind_dir: instructions::out_dir(&bench_dir),
        workspace,
    };
    let report_path = args.report.unwrap_or_else(|| {
        bench_dir.join(if sizes.quick {
            "report-quick.md"
        } else {
            "report.md"
        })
    });
    let wanted = |s: Scenario| {
        (args.only.is_empty() || args.only.contains(&s))
            && !args.skip.contains(&s)
            && (!matches!(s, Scenario::BuildCost | Scenario::ColdBuild)
                || sizes.build_cost
                || args.only.contains(&s))
            && (s != Scenario::Instructions || sizes.instructions || args.only.contains(&s))
    };

    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let scenarios: [(Scenario, &str); 11] = [
        (Scenario::Overhead, "request overhead"),
        (Scenario::Runtime, "runtime choice for sequential calls"),
        (Scenario::Listing, "listing throughput"),
        (Scenario::Instructions, "client instructions (callgrind)"),
        (Scenario::Memory, "memory"),
        (Scenario::ReadAhead, "read-ahead"),
        (Scenario::Bulk, "bulk"),
        (Scenario::Access, "access as code"),
        (Scenario::CliExport, "command-line export"),
        (Scenario::BuildCost, "build cost"),
        (Scenario::ColdBuild, "cold build of a dependent app"),
    ];
    for (scenario, name) in scenarios {
        if !wanted(scenario) {
            continue;
        }
        eprintln!("arize-bench: {name}...");
        let t = Instant::now();
        let result = match scenario {
            Scenario::Overhead => overhead::run(&sizes, args.server, &paths.fake_server),
            Scenario::Runtime => runtimes::run(&sizes, &paths.fake_server),
            Scenario::Listing => listing::run(&sizes, args.server, &paths.fake_server),
            Scenario::Instructions => {
                instructions::run(&sizes, &paths.fake_server, &paths.callgrind_dir)
            }
            Scenario::Memory => memory::run(&sizes, &paths.fake_server),
            Scenario::ReadAhead => read_ahead::run(&sizes),
            Scenario::Bulk => bulk::run(&sizes),
            Scenario::Access => access::run(&sizes),
            Scenario::CliExport => cli_export::run(&sizes, &paths.fake_server),
            Scenario::BuildCost => build_cost::run(&paths),
            Scenario::ColdBuild => cold_build::run(&paths),
        };
        match result {
            Ok(mut r) => rows.append(&mut r),
            Err(error) => {
                eprintln!("arize-bench: {name} FAILED: {error:#}");
                rows.push(Row::error(name, &error));
            }
        }
        eprintln!(
            "arize-bench: {name} done in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }

    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let mut report = Report {
        header: vec![
            format!(
                "Mode: {}; arize-bench built in {profile}; {cores} core(s); total {:.0} s.",
                if sizes.quick {
                    "**quick** (tiny sizes: targets shown, not meaningful)"
                } else {
                    "full"
                },
                started.elapsed().as_secs_f64()
            ),
            format!(
                "Fake server on 127.0.0.1: {} for overhead and listing, a separate process for \
                 memory and callgrind, in-process (a runtime thread of its own) for read-ahead, \
                 bulk and access, which use its latency and fault injection. Clients run on a \
                 current-thread runtime.",
                match args.server {
                    Placement::Process => "a separate process (arize-fake-server)",
                    Placement::InProcess => "in-process (a runtime thread of its own)",
                }
            ),
            "Ratios compare runs made in this same invocation; clients alternate in rounds and \
             the median per-round ratio is shown. Reproduce: `cargo xtask bench`."
                .to_owned(),
        ],
        rows,
        notes: Vec::new(),
        quick: sizes.quick,
    };
    if report.rows.iter().any(|r| r.scenario.contains("callgrind")) {
        report.notes.push(format!(
            "Per-function instruction counts: `callgrind_annotate {}/callgrind.facade.get.1000.out` \
             (and `.raw.`, `.generated.`); `arize-bench client-loop --help` runs one client alone \
             for a profiler.",
            paths.callgrind_dir.display()
        ));
    }
    if report.misses() > 0 && !sizes.quick {
        report.notes.push(format!(
            "{} target(s) MISSED — see the rows marked MISS.",
            report.misses()
        ));
    }
    let markdown = report.to_markdown();
    println!("{markdown}");
    if let Some(dir) = report_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&report_path, &markdown)
        .with_context(|| format!("writing {}", report_path.display()))?;
    eprintln!("arize-bench: report written to {}", report_path.display());
    if !report.harness_ok() {
        eprintln!("arize-bench: a scenario FAILED (see ERROR rows)");
    }
    Ok(report.harness_ok())
}
