//! `arize-access`: manage access in Arize from the command line, on the
//! `arize-role-bindings` SDK (no HTTP, retry or pagination logic here).
//!
//! - [`cli`]: the command line (clap derive), exit codes in `--help`;
//! - [`commands`]: one module per command group;
//! - [`config`]: key and endpoint from flags, `ax` profiles, environment;
//! - [`refs`]: IDs or names (looked up through the SDK) for users, roles
//!   and resources;
//! - [`output`]: table, JSON, NDJSON, CSV; [`progress`]: the spinners and
//!   the bar of `apply`;
//! - [`exit`]: the error type and the exit codes;
//! - `demo` (feature `demo`): the embedded fake server behind `--demo`.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Parser as _;

mod cli;
mod commands;
mod config;
#[cfg(feature = "demo")]
mod demo;
mod exit;
mod output;
mod progress;
mod refs;

use cli::{Cli, ColorChoice, Command, GlobalArgs, Output, OutputFormat};
use commands::Context;
use exit::{CliError, Code};
use output::Printer;

fn main() -> ExitCode {
    // Usage errors exit with 2 here (clap); --help and --version with 0.
    let cli = Cli::parse();
    match cli.global.color {
        ColorChoice::Auto => {}
        ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
    init_tracing(cli.global.verbose);
    match run(&cli) {
        Ok(()) => Code::Success.into(),
        Err(error) => report(&error),
    }
}

fn run(cli: &Cli) -> Result<(), CliError> {
    if cli.global.api_key.is_some() {
        return Err(CliError::Usage(
            "--api-key is not accepted: a key on the command line shows in the process list \
             and the shell history; set ARIZE_API_KEY, use --profile NAME, or pipe it to \
             --api-key-stdin"
                .into(),
        ));
    }
    if let Some(Output::StateFile(path, _)) = &cli.global.output
        && !matches!(cli.command, Command::Export(_))
    {
        return Err(CliError::Usage(format!(
            "--output {}: a .yaml, .yml or .toml file is a desired-state file, written only by \
             `export --desired-state`",
            path.display()
        )));
    }
    match &cli.command {
        Command::Completions(args) => commands::completions::run(args),
        Command::RoleBindings(command) => with_context(&cli.global, async |ctx| {
            commands::role_bindings::run(command, ctx).await
        }),
        Command::Users(command) => with_context(&cli.global, async |ctx| {
            commands::directory::users(command, ctx).await
        }),
        Command::Roles(command) => with_context(&cli.global, async |ctx| {
            commands::directory::roles(command, ctx).await
        }),
        Command::Spaces(command) => with_context(&cli.global, async |ctx| {
            commands::directory::spaces(command, ctx).await
        }),
        Command::Projects(command) => with_context(&cli.global, async |ctx| {
            commands::directory::projects(command, ctx).await
        }),
        Command::Export(args) => with_context(&cli.global, async |ctx| {
            commands::access::export(args, ctx).await
        }),
        Command::Plan(args) => with_context(&cli.global, async |ctx| {
            commands::access::plan(args, ctx).await
        }),
        Command::Apply(args) => with_context(&cli.global, async |ctx| {
            commands::access::apply(args, ctx).await
        }),
    }
}

/// Runs `command` with a [`Context`]: a runtime, the client (or the demo
/// server), and the printer; moves an `--output FILE` into place when the
/// command succeeds. Every command group that talks to the API goes
/// through here.
fn with_context(
    global: &GlobalArgs,
    command: impl AsyncFnOnce(&mut Context) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let connection = connect(global).await?;
        let printer = match &global.output {
            Some(Output::Stdout(format)) => Printer::stdout(*format),
            Some(Output::File(path, format)) => Printer::file(path, *format)?,
            // `export --desired-state` writes the file's text itself.
            Some(Output::StateFile(path, _)) => Printer::file(path, OutputFormat::Json)?,
            None => Printer::stdout(connection.profile_output.unwrap_or_else(default_format)),
        };
        let mut ctx = Context {
            client: connection.client,
            printer,
            quiet: global.quiet,
            output: global.output.clone(),
        };
        let result = command(&mut ctx).await;
        drop(connection.demo);
        result?;
        ctx.printer.commit()
    })
}

/// Table for a person at a terminal, JSON for a pipe or a file.
fn default_format() -> OutputFormat {
    if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    }
}

/// A client, and what else the configuration decided.
struct Connection {
    client: arize_role_bindings::Client,
    profile_output: Option<OutputFormat>,
    /// The embedded fake server of `--demo`, stopped when dropped.
    demo: Option<Box<dyn std::any::Any>>,
}

async fn connect(global: &GlobalArgs) -> Result<Connection, CliError> {
    if global.demo {
        return demo_connection(global.quiet).await;
    }
    // `ax` keeps its profiles under the home directory; USERPROFILE on
    // Windows when HOME is not set.
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(std::path::PathBuf::from);
    let var = |name: &str| std::env::var(name).ok();
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let mut env = config::Environment {
        var: &var,
        home,
        stdin: &mut stdin,
    };
    let settings = config::load(global, &mut env)?;
    if !global.quiet {
        for warning in &settings.warnings {
            commands::note("warning", warning);
        }
    }
    Ok(Connection {
        client: settings.builder.build()?,
        profile_output: settings.profile_output,
        demo: None,
    })
}

#[cfg(feature = "demo")]
async fn demo_connection(quiet: bool) -> Result<Connection, CliError> {
    let demo = demo::start().await?;
    if !quiet {
        let [server, ids] = demo.banner();
        commands::note("demo", &server);
        commands::note("demo", &ids);
    }
    Ok(Connection {
        client: demo.client()?,
        profile_output: None,
        demo: Some(Box::new(demo)),
    })
}

#[cfg(not(feature = "demo"))]
async fn demo_connection(_quiet: bool) -> Result<Connection, CliError> {
    Err(CliError::Usage(
        "--demo: this arize-access was built without the `demo` feature".into(),
    ))
}

/// Prints the error on stderr (one line, then details) and picks the code.
fn report(error: &CliError) -> ExitCode {
    let code = error.code();
    if error.is_broken_pipe() || matches!(error, CliError::ChangesPending) {
        return code.into();
    }
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{style}error:{style:#} {error}");
    for line in error.details() {
        let _ = writeln!(stderr, "  {line}");
    }
    code.into()
}

/// `-v`: the SDK's debug events (requests, retries) on stderr; `-vv`:
/// everything. `RUST_LOG` overrides.
fn init_tracing(verbose: u8) {
    if verbose == 0 && std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    let default = match verbose {
        0 | 1 => "arize_role_bindings=debug",
        _ => "arize_role_bindings=trace,arize_api=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
