//! Access as code: `export`, `plan` and `apply`, on the SDK's
//! [`arize_role_bindings::access`] (reading the file, listing, diffing,
//! applying with bounded concurrency and the recheck of a saved plan are
//! all the SDK's; this module chooses, prints and asks).

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use arize_role_bindings::access::{
    self, DEFAULT_CONCURRENCY, DesiredState, ExportScope, Format, PLAN_VERSION, Plan,
};
use arize_role_bindings::{Resource, ResourceType};
use clap::{ArgGroup, Args};
use futures::StreamExt as _;

use crate::cli::{Output, OutputFormat, parse_resource_type};
use crate::commands::{Context, note};
use crate::exit::CliError;
use crate::progress::Progress;
use crate::refs::Resolver;

/// `export --help`: examples.
pub const EXPORT_HELP: &str = "\
Rows (one per binding, joined with the directory's names; CSV by default):
  arize-access export > access.csv
  arize-access export -o ndjson --resource-type PROJECT
  arize-access export -o bindings.json --space prod --space staging
  arize-access export -o csv --project churn --project UHJvamVjdDoxMjM0NQ==

A desired-state file that reproduces today's access exactly (authoritative;
a plan of it right away has no changes): the way to start managing an
existing account as code. Users by e-mail, roles, spaces and projects by name
(a project with its space when two spaces have the name), an ID only where a
name would not find the same record; --by-id for IDs throughout. YAML by
default; the format from --output FILE's extension (.yaml, .yml, .json,
.toml), or named (--desired-state toml):
  arize-access export --desired-state -o access.yaml
  arize-access export --desired-state=json --space prod
  arize-access export --desired-state --by-id -o access-ids.yaml
  arize-access plan -f access.yaml     # No changes: access matches the file";

/// `plan --help`: examples.
pub const PLAN_HELP: &str = "\
Examples:
  arize-access plan -f access.yaml
  arize-access plan -f access.yaml --out plan.json     # then: apply --plan plan.json
  arize-access plan -f access.yaml --detailed-exitcode # CI: exit 3 on drift
  arize-access plan -f access.toml -o json | jq '.revokes | length'

The plan shows its scope (the spaces and projects the file manages), then one
line per change (+ create, ~ change of role, - revoke) and a summary line.
Exit 0 whether or not there are changes; with --detailed-exitcode, 0 for no
changes and 3 when there are changes to make.";

/// `apply --help`: examples.
pub const APPLY_HELP: &str = "\
Examples:
  arize-access apply -f access.yaml                  # shows the plan, then asks
  arize-access apply --plan plan.json                # a plan saved by `plan --out`
  arize-access apply -f access.yaml --yes --concurrency 32   # CI, no terminal

The plan is shown first; an authoritative plan that revokes says how many
bindings it revokes. On a terminal the changes are made only when you answer
yes; without a terminal, only with --yes (otherwise exit 2, nothing sent).
Each change is reported as it completes, then a summary: done, already in
place, drifted (the account moved since the plan: left alone, plan again),
failed. Exit 1 when a change failed or drifted.";

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only bindings on resources of this type: SPACE or PROJECT (any case)
    #[arg(long, value_parser = parse_resource_type, value_name = "TYPE")]
    pub resource_type: Option<ResourceType>,

    /// Only bindings on this space: an ID or a name (repeatable)
    #[arg(long = "space", value_name = "SPACE")]
    pub spaces: Vec<String>,

    /// Only bindings on this project: an ID, or a name looked up in every
    /// space (repeatable)
    #[arg(long = "project", value_name = "PROJECT")]
    pub projects: Vec<String>,

    /// Write a desired-state file instead of rows: yaml, json or toml
    /// [default: from the --output FILE extension, else yaml]
    #[arg(
        long,
        value_name = "FORMAT",
        num_args = 0..=1,
        require_equals = true,
        value_parser = parse_state_format
    )]
    pub desired_state: Option<Option<Format>>,

    /// With --desired-state: write every user, role, space and project by
    /// ID [default: by e-mail and name, IDs only where a name would not
    /// find the same record]
    #[arg(long, requires = "desired_state")]
    pub by_id: bool,
}

/// `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The desired-state file: .yaml, .yml, .json or .toml
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,

    /// Also save the plan as JSON in this file (for `apply --plan FILE`)
    #[arg(long, value_name = "PLAN_FILE")]
    pub out: Option<PathBuf>,

    /// Exit 3 when there are changes to make (0 when there are none)
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// `apply`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["file", "plan"])))]
pub struct ApplyArgs {
    /// The desired-state file to plan and apply: .yaml, .yml, .json or .toml
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// A plan saved by `plan --out` (re-checked against the account first:
    /// what moved since is reported as drifted, not forced)
    #[arg(long, value_name = "PLAN_FILE")]
    pub plan: Option<PathBuf>,

    /// Do not ask (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// At most this many changes in flight
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

fn parse_state_format(value: &str) -> Result<Format, String> {
    value
        .parse::<Format>()
        .map_err(|_| format!("`{value}`: a desired-state file is yaml, json or toml"))
}

/// Where an export's text goes.
enum Target<'a> {
    Stdout,
    /// The `--output FILE` (moved into place when the command succeeds).
    File(&'a Path),
}

/// What an export writes.
#[derive(Clone, Copy)]
enum ExportFormat {
    Rows(OutputFormat),
    State(Format),
}

/// The export's format and target from `--output` and `--desired-state`.
fn export_format<'a>(
    output: Option<&'a Output>,
    state: Option<Option<Format>>,
) -> Result<(ExportFormat, Target<'a>), CliError> {
    let rows_only = "export writes csv, ndjson or json rows (or a desired-state file with \
                     --desired-state), not a table";
    let Some(named) = state else {
        return match output {
            None => Ok((ExportFormat::Rows(OutputFormat::Csv), Target::Stdout)),
            Some(Output::Stdout(OutputFormat::Table) | Output::File(_, OutputFormat::Table)) => {
                Err(CliError::Usage(rows_only.into()))
            }
            Some(Output::Stdout(f)) => Ok((ExportFormat::Rows(*f), Target::Stdout)),
            Some(Output::File(path, f)) => Ok((ExportFormat::Rows(*f), Target::File(path))),
            Some(Output::StateFile(path, _)) => Err(CliError::Usage(format!(
                "--output {}: a .yaml, .yml or .toml file is a desired-state file; add \
                 --desired-state",
                path.display()
            ))),
        };
    };
    let (implied, target) = match output {
        None => (None, Target::Stdout),
        Some(Output::Stdout(OutputFormat::Json)) => (Some(Format::Json), Target::Stdout),
        Some(Output::File(path, OutputFormat::Json)) => (Some(Format::Json), Target::File(path)),
        Some(Output::StateFile(path, f)) => (Some(*f), Target::File(path)),
        Some(Output::Stdout(_) | Output::File(..)) => {
            return Err(CliError::Usage(
                "--desired-state writes yaml, json or toml: use --output FILE.yaml|.yml|.json|\
                 .toml, --output json, or --desired-state=FORMAT on stdout"
                    .into(),
            ));
        }
    };
    let format = match (named, implied) {
        (Some(a), Some(b)) if a != b => {
            return Err(CliError::Usage(format!(
                "--desired-state={a} and --output say different formats ({b})"
            )));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => Format::Yaml,
    };
    Ok((ExportFormat::State(format), target))
}

/// Runs `export`.
///
/// # Errors
///
/// Usage errors for formats that do not fit; the SDK's errors; writing.
pub async fn export(args: &ExportArgs, ctx: &mut Context) -> Result<(), CliError> {
    let (format, target) = export_format(ctx.output.as_ref(), args.desired_state)?;
    let scope = export_scope(args, ctx).await?;
    let stdout = std::io::stdout();
    let mut stdout_writer;
    let out: &mut dyn std::io::Write = match target {
        Target::Stdout => {
            stdout_writer = BufWriter::new(stdout.lock());
            &mut stdout_writer
        }
        Target::File(_) => ctx.printer.writer(),
    };
    let rows = match format {
        ExportFormat::Rows(rows) => {
            let progress = Progress::counting(ctx.quiet, "Exporting");
            let out = progress.lines(out);
            let export = access::export(&ctx.client, &ctx.client, scope).await?;
            let n = match rows {
                OutputFormat::Ndjson => export.write_ndjson(out).await?,
                OutputFormat::Json => export.write_json(out).await?,
                _ => export.write_csv(out).await?,
            };
            progress.finish();
            n
        }
        ExportFormat::State(state_format) => {
            let progress = Progress::working(
                ctx.quiet,
                "Exporting a desired state: reading every binding and the directory",
            );
            let export = access::export(&ctx.client, &ctx.client, scope).await?;
            let state = if args.by_id {
                export.into_desired_state().await?
            } else {
                export.into_named_desired_state().await?
            };
            progress.finish();
            let text = state.to_text(state_format).map_err(|e| {
                CliError::Io(std::io::Error::other(format!(
                    "cannot write the desired state as {state_format}: {e}"
                )))
            })?;
            out.write_all(text.as_bytes())?;
            out.flush()?;
            state.grants.len()
        }
    };
    if let (Target::File(path), false) = (target, ctx.quiet) {
        note(
            "export",
            &format!(
                "{rows} binding{} written to {}",
                if rows == 1 { "" } else { "s" },
                path.display()
            ),
        );
    }
    Ok(())
}

/// The scope flags as the SDK's [`ExportScope`] (names looked up).
async fn export_scope(args: &ExportArgs, ctx: &Context) -> Result<ExportScope, CliError> {
    let mut scope = ExportScope::account();
    if let Some(t) = args.resource_type {
        scope = scope.resource_type(t);
    }
    if args.spaces.is_empty() && args.projects.is_empty() {
        return Ok(scope);
    }
    let resolver = Resolver::new(&ctx.client);
    let mut resources = Vec::new();
    for space in &args.spaces {
        resources.push(Resource::Space(resolver.space(space, "--space").await?));
    }
    for project in &args.projects {
        let id = match resolver.project(project, "--project", None).await {
            Ok(id) => id,
            // `--space` here widens the scope: the way out is the ID.
            Err(CliError::ProjectInSpaces { name, spaces }) => {
                return Err(CliError::ProjectIdNeeded { name, spaces });
            }
            Err(other) => return Err(other),
        };
        resources.push(Resource::Project(id));
    }
    Ok(scope.resources(resources))
}

/// How `plan` prints: the diff (`None`, `table`, `.txt`) or the plan's JSON.
fn plan_as_json(output: Option<&Output>, command: &str) -> Result<bool, CliError> {
    match output {
        None | Some(Output::Stdout(OutputFormat::Table) | Output::File(_, OutputFormat::Table)) => {
            Ok(false)
        }
        Some(Output::Stdout(OutputFormat::Json) | Output::File(_, OutputFormat::Json))
            if command == "plan" =>
        {
            Ok(true)
        }
        Some(_) => Err(CliError::Usage(format!(
            "{command} prints the plan as text{}; --output takes table or a .txt file{}",
            if command == "plan" { " or JSON" } else { "" },
            if command == "plan" {
                ", json or a .json file (or save the JSON with --out FILE)"
            } else {
                ""
            }
        ))),
    }
}

/// Reads `path` and plans it, with a spinner.
async fn make_plan(path: &Path, ctx: &Context) -> Result<Plan, CliError> {
    let state = DesiredState::from_path(path).map_err(CliError::File)?;
    let progress = Progress::reading(
        ctx.quiet,
        &format!("Planning {}: reading the account", path.display()),
        "bindings",
    );
    let plan =
        access::plan_with_progress(&ctx.client, &state, &ctx.client, &|n| progress.read(n)).await?;
    progress.finish();
    Ok(plan)
}

/// Runs `plan`.
///
/// # Errors
///
/// [`CliError::File`] for a file with problems; the SDK's errors;
/// [`CliError::ChangesPending`] with `--detailed-exitcode` and changes.
pub async fn plan(args: &PlanArgs, ctx: &mut Context) -> Result<(), CliError> {
    let json = plan_as_json(ctx.output.as_ref(), "plan")?;
    let plan = make_plan(&args.file, ctx).await?;
    if let Some(out) = &args.out {
        save_plan(&plan, out)?;
    }
    let out = ctx.printer.writer();
    if json {
        serde_json::to_writer_pretty(&mut *out, &plan).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{plan}")?;
    }
    // The plan first, then the note on stderr (on a terminal, in order).
    out.flush()?;
    if let (Some(path), false) = (&args.out, ctx.quiet) {
        note(
            "plan",
            &format!(
                "saved to {}; apply it with `arize-access apply --plan {}`",
                path.display(),
                path.display()
            ),
        );
    }
    if args.detailed_exitcode && !plan.is_empty() {
        // Exit 3: the output is complete, so it is committed first.
        ctx.printer.commit()?;
        return Err(CliError::ChangesPending);
    }
    Ok(())
}

/// Writes the plan's JSON to `path`, replacing it only once written.
fn save_plan(plan: &Plan, path: &Path) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(plan).map_err(std::io::Error::other)?;
    text.push('\n');
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        CliError::Io(std::io::Error::new(
            e.kind(),
            format!("cannot save the plan in {}: {e}", dir.display()),
        ))
    })?;
    file.write_all(text.as_bytes())?;
    file.persist(path).map_err(|e| {
        CliError::Io(std::io::Error::new(
            e.error.kind(),
            format!("cannot save the plan as {}: {}", path.display(), e.error),
        ))
    })?;
    Ok(())
}

/// Reads a plan saved by `plan --out`.
fn load_plan(path: &Path) -> Result<Plan, CliError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::PlanFile(format!("{shown}: cannot read the plan: {e}")))?;
    let plan: Plan = serde_json::from_str(&text).map_err(|e| {
        CliError::PlanFile(format!(
            "{shown}:{}:{}: not a plan saved by `arize-access plan --out`: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if plan.version != PLAN_VERSION {
        return Err(CliError::PlanFile(format!(
            "{shown}: a plan of format version {}, this arize-access reads version \
             {PLAN_VERSION}; plan again with this version",
            plan.version
        )));
    }
    Ok(plan)
}

/// Runs `apply`.
///
/// # Errors
///
/// As [`plan`]; [`CliError::Usage`] without a terminal and without
/// `--yes`; [`CliError::Declined`] when the answer is no;
/// [`CliError::Incomplete`] when a change failed or drifted.
pub async fn apply(args: &ApplyArgs, ctx: &mut Context) -> Result<(), CliError> {
    plan_as_json(ctx.output.as_ref(), "apply")?;
    let plan = match (&args.plan, &args.file) {
        (Some(saved), _) => load_plan(saved)?,
        (None, Some(file)) => make_plan(file, ctx).await?,
        (None, None) => {
            return Err(CliError::Usage("give -f FILE or --plan PLAN_FILE".into()));
        }
    };
    {
        let out = ctx.printer.writer();
        writeln!(out, "{plan}")?;
        out.flush()?;
    }
    if plan.is_empty() {
        return Ok(());
    }
    let n = plan.len();
    let changes = format!("{n} change{}", if n == 1 { "" } else { "s" });
    if !plan.revokes.is_empty() {
        // Said even with --quiet and --yes: a revocation removes access.
        let r = plan.revokes.len();
        note(
            "warning",
            &format!(
                "this {} plan revokes {r} binding{} (of {changes})",
                plan.mode,
                if r == 1 { "" } else { "s" }
            ),
        );
    }
    if !args.yes && !confirm_apply(ctx, &changes)? {
        return Err(CliError::Declined(
            "not applied: nothing was changed".to_owned(),
        ));
    }

    let refresh = Progress::working(ctx.quiet, "Checking the plan against the account");
    let mut results = access::apply(&ctx.client, &plan)
        .concurrency(usize::from(args.concurrency))
        .start()
        .await?;
    refresh.finish();
    let progress = Progress::bar(ctx.quiet, n, "changes");
    let out = ctx.printer.writer();
    let mut summary = access::ApplySummary::default();
    while let Some(item) = results.next().await {
        progress.suspend(|| -> std::io::Result<()> {
            writeln!(out, "  {item}")?;
            out.flush()
        })?;
        summary.record(&item);
        progress.step();
    }
    progress.finish();
    writeln!(out, "{summary}")?;
    out.flush()?;
    if !summary.is_complete() {
        return Err(CliError::Incomplete(format!(
            "apply incomplete: {} of {changes} failed, {} drifted (see above)",
            summary.failed.len(),
            summary.drifted.len()
        )));
    }
    Ok(())
}

/// Asks on the terminal, as `delete` does; without one, refuses.
fn confirm_apply(ctx: &Context, changes: &str) -> Result<bool, CliError> {
    if !ctx.can_prompt() {
        return Err(CliError::Usage(format!(
            "refusing to apply {changes} without confirmation: there is no terminal to ask \
             on; pass --yes to apply them"
        )));
    }
    dialoguer::Confirm::new()
        .with_prompt(format!("Apply {changes} to the account?"))
        .default(false)
        .interact()
        .map_err(|e| match e {
            dialoguer::Error::IO(io) => CliError::Io(io),
        })
}
