//! The command line, as clap derive types: global options, then one
//! subcommand group per module of [`crate::commands`].

use std::path::PathBuf;

use arize_role_bindings::ResourceType;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::access::{ApplyArgs, ExportArgs, PlanArgs};
use crate::commands::completions::CompletionsArgs;
use crate::commands::directory::{ProjectsCommand, RolesCommand, SpacesCommand, UsersCommand};
use crate::commands::role_bindings::RoleBindingsCommand;

/// Exit codes and configuration, shown at the end of `--help`.
const AFTER_HELP: &str = "\
Configuration (highest first): --base-url and --api-key-stdin; --profile NAME
(~/.arize/profiles/NAME.toml, as Arize's `ax`); the SDK's environment variables
(ARIZE_API_KEY, ARIZE_REGION, ARIZE_BASE_URL, ARIZE_SINGLE_HOST, ...); the
active `ax` profile (~/.arize/.active_profile). The API key is never taken as a
command-line value.

Output: --output table|json|ndjson|csv, or --output FILE (as `ax`: the format
from the extension .json, .ndjson/.jsonl, .csv or .txt for a table; the file
is replaced only when the command succeeds). By default the profile's [output]
format, else a table when stdout is a terminal and JSON otherwise. Colour only
on a terminal, never with NO_COLOR (unless --color always).

Exit codes:
  0  success (for `plan`: with or without changes, unless --detailed-exitcode)
  1  any other failure (writing output, an undecodable response, a listing
     stopped by a pagination guard, a delete or apply declined at the prompt,
     an apply with a change that failed or drifted)
  2  usage error: bad flags or values, nothing sent (also a refused delete
     without --force, or apply without --yes, when there is no terminal to
     ask on; a desired-state or plan file with problems, each shown as
     FILE:LINE:COLUMN, nothing changed)
  3  changes pending: `plan --detailed-exitcode` found changes to make (as
     `terraform plan -detailed-exitcode`, which uses 2, clap's usage code)
  4  API error: the API answered with an error status (404, 409 for a
     duplicate create, 401, 403, 429, 5xx, ...), as `ax`; also a name
     (e-mail, role, space or project name) that matches no record (the
     near names are shown) or several (a project name in two spaces)
  5  configuration error: no API key, an unreadable profile, conflicting
     settings
  6  network error: no answer (connection failed, timeout, deadline)

Names work wherever an ID is taken: --user alice@example.com --role Member
--space prod, --project churn --space prod.

Access as code: `export --desired-state -o access.yaml` writes today's access as
a file; `plan -f access.yaml` shows what applying it would change; `apply -f
access.yaml` (or `apply --plan plan.json`) makes the changes after asking.

Try it without an account: arize-access --demo role-bindings list --resource-type space";

/// Manage access in Arize: role bindings and the directory (users, roles,
/// spaces, projects) on the arize-role-bindings SDK.
#[derive(Debug, Parser)]
#[command(
    name = "arize-access",
    version,
    about,
    long_about = "Manage who can do what in Arize. `role-bindings` does what `ax role-bindings` \
                  does (list, get, create, update, delete, with ax's flags and profiles) and \
                  more: names instead of IDs, every page with --all, and idempotent ensure \
                  and revoke. `users`, `roles`, `spaces` and `projects` list and show the \
                  directory.",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Output format: table, json, ndjson or csv; or a file to write, the
    /// format from its extension (.json, .ndjson, .jsonl, .csv, .txt; and
    /// .yaml, .yml, .toml for `export --desired-state`) [default: the
    /// profile's format, else table on a terminal and json otherwise]
    #[arg(short, long, value_name = "FORMAT|FILE", value_parser = parse_output, global = true)]
    pub output: Option<Output>,

    /// Use this `ax` profile (~/.arize/profiles/NAME.toml) for the key and
    /// the endpoint
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Send requests to this base URL instead (e.g. a fake server:
    /// http://127.0.0.1:8080)
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// Read the API key from the first line of standard input
    #[arg(long, global = true)]
    pub api_key_stdin: bool,

    /// Refused: an API key on the command line would be visible in the
    /// process list and the shell history
    #[arg(long, value_name = "KEY", global = true, hide = true)]
    pub api_key: Option<String>,

    /// Run against an embedded fake Arize server, seeded with users, roles,
    /// spaces, projects and bindings (nothing leaves the machine or is kept)
    #[arg(long, global = true, conflicts_with_all = ["profile", "base_url", "api_key_stdin"])]
    pub demo: bool,

    /// No progress bar and no hints on stderr (errors are still printed)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Log the SDK's requests and retries on stderr (-vv for more)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// `--output`: a format for stdout, or a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Print to stdout in this format.
    Stdout(OutputFormat),
    /// Write this file (replaced on success), in this format.
    File(PathBuf, OutputFormat),
    /// Write this desired-state file (`.yaml`, `.yml`, `.toml`; replaced on
    /// success): `export --desired-state` only.
    StateFile(PathBuf, arize_role_bindings::access::Format),
}

/// Parses `--output`: a format name, else a path with a known extension.
fn parse_output(value: &str) -> Result<Output, String> {
    if let Ok(format) = OutputFormat::from_str(value, true) {
        return Ok(Output::Stdout(format));
    }
    let path = PathBuf::from(value);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("json") => OutputFormat::Json,
        Some("ndjson" | "jsonl") => OutputFormat::Ndjson,
        Some("csv") => OutputFormat::Csv,
        Some("txt") => OutputFormat::Table,
        Some("yaml" | "yml") => {
            return Ok(Output::StateFile(
                path,
                arize_role_bindings::access::Format::Yaml,
            ));
        }
        Some("toml") => {
            return Ok(Output::StateFile(
                path,
                arize_role_bindings::access::Format::Toml,
            ));
        }
        _ => {
            return Err(format!(
                "`{value}` is neither a format (table, json, ndjson, csv) nor a file name \
                 ending in .json, .ndjson, .jsonl, .csv or .txt (or .yaml, .yml, .toml for \
                 `export --desired-state`)"
            ));
        }
    };
    Ok(Output::File(path, format))
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people
    Table,
    /// One JSON document (an array for lists), the API's field names
    Json,
    /// One JSON object per line, written as pages arrive
    Ndjson,
    /// A header line, then one row per binding (RFC 4180)
    Csv,
}

impl OutputFormat {
    /// The format named in an `ax` profile's `[output] format`, when this
    /// tool supports it.
    pub fn from_profile(name: &str) -> Option<Self> {
        Self::from_str(name, true).ok()
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    /// Always, even with NO_COLOR (a flag overrides it, as no-color.org says)
    Always,
    /// Never
    Never,
}

/// The command groups.
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, get, create, update and delete role bindings; ensure and revoke
    #[command(subcommand, visible_alias = "rb")]
    RoleBindings(RoleBindingsCommand),

    /// List the account's users, or show one (by ID or e-mail)
    #[command(subcommand)]
    Users(UsersCommand),

    /// List the roles, predefined and custom, or show one (by ID or name)
    #[command(subcommand)]
    Roles(RolesCommand),

    /// List the spaces, or show one (by ID or name)
    #[command(subcommand)]
    Spaces(SpacesCommand),

    /// List the projects, or show one (by ID, or by name and space)
    #[command(subcommand)]
    Projects(ProjectsCommand),

    /// Export every role binding (or a scope's) as CSV, NDJSON, JSON, or a
    /// desired-state file that reproduces today's access
    #[command(after_help = crate::commands::access::EXPORT_HELP)]
    Export(ExportArgs),

    /// Show what applying a desired-state file would change (a diff; its
    /// scope first), without changing anything
    #[command(after_help = crate::commands::access::PLAN_HELP)]
    Plan(PlanArgs),

    /// Make the changes of a desired-state file or of a saved plan, after
    /// showing them and asking (--yes without a terminal)
    #[command(after_help = crate::commands::access::APPLY_HELP)]
    Apply(ApplyArgs),

    /// Print a shell completion script
    #[command(after_help = "Examples:\n  \
        arize-access completions bash > ~/.local/share/bash-completion/completions/arize-access\n  \
        arize-access completions zsh > ~/.zfunc/_arize-access\n  \
        arize-access completions fish > ~/.config/fish/completions/arize-access.fish")]
    Completions(CompletionsArgs),
}

/// Parses `SPACE`/`PROJECT` in any case, with the SDK's message otherwise.
pub fn parse_resource_type(value: &str) -> Result<ResourceType, String> {
    value.parse::<ResourceType>().map_err(|e| e.to_string())
}
