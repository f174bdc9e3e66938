//! Interop run: Arize's own published clients against the fake server.
//!
//! ```text
//! cargo run -p arize-tests --bin interop -- \
//!     --ax target/interop/venv/bin/ax --node-dir target/interop/node \
//!     --arize-access target/debug/arize-access
//! ```
//!
//! (`cargo xtask test`'s `interop` step installs the pinned clients and runs
//! this.) Two of Arize's clients are driven against a fresh in-process fake
//! each, and every answer is checked against the fake's own state:
//!
//! - Arize's CLI `ax` (PyPI `arize-ax-cli`, over the Python SDK `arize`),
//!   run as a child process in a temporary `HOME` with a profile that `ax
//!   profiles create --from-file` itself wrote (its `single_port` is a
//!   TOML string). Each command's exit code (0; 4 for an API error,
//!   including a duplicate create; 2 for a usage error, with no request
//!   sent) and its `--output json` are checked: the records must equal the
//!   fake's (every field; timestamps as instants, since `ax` re-prints
//!   them), lists in the fake's order, a `--limit`/`--cursor` walk must
//!   give every binding once, a create/update/delete must show in the
//!   fake's store. Our own CLI `arize-access --profile NAME` must read that
//!   `ax`-written profile and list the same bindings.
//! - Arize's TypeScript client `@arizeai/ax-client`, through the committed
//!   driver `tests/interop/ax-client-driver.cjs` (one JSON call per line on
//!   stdin, one JSON answer per line on stdout): the five role-binding
//!   functions, paging through every page with `nextCursor`, the directory
//!   lists and gets (by ID and by name, which the client resolves through
//!   the list filters), and its typed errors (`APIError` 409,
//!   `NotFoundError` 404, `AuthenticationError` 401). Its records are the
//!   wire records with top-level keys in camelCase and `Date` timestamps;
//!   they must equal the fake's.
//!
//! Every request either client sent must carry `Authorization: Bearer` and
//! the four SDK identity headers of the facts (`sdk-language`,
//! `language-version`, `sdk-version`, `sdk-package-name`).
//!
//! Every child process has a timeout (`--timeout-secs`, per command or
//! call); everything runs on 127.0.0.1. The last line is
//! `interop: ax V: N commands, ax-client V: M calls, arize-access: K
//! commands, F failures`; any failure fails the run, each printed as
//! `FAIL <client> <call>: <what differed>`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use arize_api::types::{RoleBinding, RoleBindingResourceType};
use arize_fake_server::{FakeServer, Seed};
use chrono::DateTime;
use clap::Parser;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The `arize-ax-cli` version this run is written against.
const AX_VERSION: &str = "0.39.0";
/// The `@arizeai/ax-client` version this run is written against.
const AX_CLIENT_VERSION: &str = "1.28.0";
/// The fake's key, written into the `ax` profile.
const API_KEY: &str = "interop-key";
/// The profile `ax profiles create` writes.
const PROFILE: &str = "interop";
/// The identity headers both SDKs send (`arize-api-facts.md`).
const IDENTITY_HEADERS: &[&str] = &[
    "sdk-language",
    "language-version",
    "sdk-version",
    "sdk-package-name",
];

/// Run Arize's own clients against the fake server.
#[derive(Debug, Parser)]
struct Args {
    /// The `ax` executable (`arize-ax-cli`).
    #[arg(long, default_value_os_t = workspace_root().join("target/interop/venv/bin/ax"))]
    ax: PathBuf,
    /// The directory whose `node_modules` holds `@arizeai/ax-client`.
    #[arg(long, default_value_os_t = workspace_root().join("target/interop/node"))]
    node_dir: PathBuf,
    /// The Node.js driver of `@arizeai/ax-client`.
    #[arg(long, default_value_os_t = workspace_root().join("tests/interop/ax-client-driver.cjs"))]
    driver: PathBuf,
    /// The `node` executable.
    #[arg(long, default_value = "node")]
    node: PathBuf,
    /// Our CLI, to read the `ax`-written profile (skipped when not given).
    #[arg(long)]
    arize_access: Option<PathBuf>,
    /// Time limit of each child process (an `ax` command, one client call).
    #[arg(long, default_value_t = 60)]
    timeout_secs: u64,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("interop: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The failures found so far.
#[derive(Debug, Default)]
struct Report {
    failures: Vec<String>,
}

impl Report {
    /// Records a failure of `call` by `client` unless `outcome` is `Ok`.
    fn check(&mut self, client: &str, call: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => println!("ok   {client} {call}"),
            Err(what) => {
                println!("FAIL {client} {call}: {what}");
                self.failures.push(format!("{client} {call}: {what}"));
            }
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<bool> {
    let mut report = Report::default();
    let limit = Duration::from_secs(args.timeout_secs);

    // `ax`'s HOME: the profile it writes there is read by arize-access too.
    let home = tempfile::tempdir().context("cannot create a temporary HOME")?;
    let server = start_fake().await?;
    let ax_commands = drive_ax(args, home.path(), &server, limit, &mut report).await?;
    check_identity_headers(&server, "ax", "arize", &mut report);
    server.clear_requests();
    let access_commands = match &args.arize_access {
        Some(bin) => {
            let n = drive_arize_access(bin, home.path(), &server, limit, &mut report).await?;
            check_identity_headers(&server, "arize-access", "arize-role-bindings", &mut report);
            n
        }
        None => {
            println!("arize-access: skipped (no --arize-access)");
            0
        }
    };
    server.shutdown().await;

    let server = start_fake().await?;
    let calls = drive_ax_client(args, &server, limit, &mut report).await?;
    check_identity_headers(&server, "ax-client", "@arizeai/ax-client", &mut report);
    server.shutdown().await;

    let failures = report.failures.len();
    println!(
        "interop: ax {AX_VERSION}: {ax_commands} commands, ax-client {AX_CLIENT_VERSION}: {calls} calls, arize-access: {access_commands} commands, {failures} failures"
    );
    Ok(failures == 0)
}

/// A fake with more bindings of each resource type than the small pages
/// the walks use.
async fn start_fake() -> anyhow::Result<FakeServer> {
    let server = FakeServer::builder()
        .api_key(API_KEY)
        .seed(
            Seed::empty()
                .users(6)
                .roles(3)
                .spaces(3)
                .projects(3)
                .bindings(24),
        )
        .start()
        .await
        .context("cannot start the fake server")?;
    let spaces = bindings_of(&server, RoleBindingResourceType::Space, None).len();
    let projects = bindings_of(&server, RoleBindingResourceType::Project, None).len();
    if spaces < 7 || projects < 4 {
        bail!(
            "the seed gave {spaces} SPACE and {projects} PROJECT bindings; the page walks need at least 7 and 4"
        );
    }
    Ok(server)
}

fn bindings_of(
    server: &FakeServer,
    kind: RoleBindingResourceType,
    user: Option<&str>,
) -> Vec<RoleBinding> {
    server
        .bindings()
        .into_iter()
        .filter(|b| b.resource_type == kind && user.is_none_or(|u| *b.user_id == *u))
        .collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `expected` (the fake's wire JSON) and `actual` (a client's output)
/// hold the same data: the same keys, the same values, strings that are
/// both RFC 3339 timestamps compared as instants.
fn same(expected: &Value, actual: &Value) -> Result<(), String> {
    same_at("", expected, actual)
}

fn same_at(at: &str, expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let ek: BTreeSet<&String> = e.keys().collect();
            let ak: BTreeSet<&String> = a.keys().collect();
            if ek != ak {
                let missing: Vec<_> = ek.difference(&ak).collect();
                let extra: Vec<_> = ak.difference(&ek).collect();
                return Err(format!(
                    "{at}: keys differ: missing {missing:?}, unexpected {extra:?}"
                ));
            }
            for (key, value) in e {
                same_at(&format!("{at}.{key}"), value, &a[key])?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{at}: {} items, expected {}", a.len(), e.len()));
            }
            for (index, (e, a)) in e.iter().zip(a).enumerate() {
                same_at(&format!("{at}[{index}]"), e, a)?;
            }
            Ok(())
        }
        (Value::String(e), Value::String(a)) if e != a => {
            match (
                DateTime::parse_from_rfc3339(e),
                DateTime::parse_from_rfc3339(a),
            ) {
                (Ok(e), Ok(a)) if e == a => Ok(()),
                _ => Err(format!("{at}: {a:?}, expected {e:?}")),
            }
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: {a}, expected {e}")),
    }
}

/// The wire record as `@arizeai/ax-client` returns it: top-level keys in
/// camelCase (`role_id` → `roleId`), the rest unchanged.
fn camel_top(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (camel(key), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- ax --

/// What a child process did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Result<Value, String> {
        serde_json::from_str(&self.stdout).map_err(|e| {
            format!(
                "stdout is not JSON ({e}): {:?}; stderr: {:?}",
                cut(&self.stdout),
                cut(&self.stderr)
            )
        })
    }

    /// Exit code `code`, else a message with the output.
    fn exit(&self, code: i32) -> Result<(), String> {
        if self.code == Some(code) {
            Ok(())
        } else {
            Err(format!(
                "exit code {:?}, expected {code}; stderr: {:?}",
                self.code,
                cut(&self.stderr)
            ))
        }
    }
}

fn cut(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// Runs `program args` with a clean environment (`PATH` and `HOME` only)
/// and a time limit.
async fn run_child(
    program: &Path,
    args: &[&str],
    home: &Path,
    limit: Duration,
) -> anyhow::Result<Outcome> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env("COLUMNS", "200")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let shown = format!("{} {}", program.display(), args.join(" "));
    let child = command
        .spawn()
        .with_context(|| format!("cannot start {shown}"))?;
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| anyhow!("{shown} did not finish within {limit:?}"))?
        .with_context(|| format!("waiting for {shown}"))?;
    Ok(Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Runs `ax` against the fake.
struct Ax<'a> {
    bin: &'a Path,
    home: &'a Path,
    limit: Duration,
    commands: usize,
}

impl Ax<'_> {
    async fn run(&mut self, args: &[&str]) -> anyhow::Result<Outcome> {
        self.commands += 1;
        run_child(self.bin, args, self.home, self.limit).await
    }
}

async fn drive_ax(
    args: &Args,
    home: &Path,
    server: &FakeServer,
    limit: Duration,
    report: &mut Report,
) -> anyhow::Result<usize> {
    if !args.ax.exists() {
        bail!(
            "ax not found at {} (`cargo xtask test` installs arize-ax-cli=={AX_VERSION} into target/interop/venv)",
            args.ax.display()
        );
    }
    let mut ax = Ax {
        bin: &args.ax,
        home,
        limit,
        commands: 0,
    };
    let c = "ax";

    let out = ax.run(&["--version"]).await?;
    report.check(
        c,
        "--version",
        out.exit(0).and_then(|()| {
            // ax prints its version on stderr.
            let printed = format!("{}{}", out.stdout, out.stderr);
            if printed.contains(&format!("version {AX_VERSION}")) {
                Ok(())
            } else {
                Err(format!(
                    "{:?}, expected version {AX_VERSION}",
                    printed.trim()
                ))
            }
        }),
    );

    // The profile, written by `ax` itself.
    let port = server.addr().port().to_string();
    let from = home.join("interop-profile.toml");
    std::fs::write(
        &from,
        format!(
            "[auth]\nauth_method = \"api-key\"\napi_key = \"{API_KEY}\"\n\n[routing]\nsingle_host = \"127.0.0.1\"\nsingle_port = \"{port}\"\napi_scheme = \"http\"\n\n[output]\nformat = \"json\"\n\n[update]\nenabled = false\n"
        ),
    )
    .context("cannot write the profile source")?;
    let from_text = from.to_string_lossy().into_owned();
    let out = ax
        .run(&["profiles", "create", PROFILE, "--from-file", &from_text])
        .await?;
    report.check(
        c,
        "profiles create --from-file",
        out.exit(0)
            .and_then(|()| check_written_profile(home, &port)),
    );

    ax_role_bindings(&mut ax, server, report).await?;
    ax_directory(&mut ax, server, report).await?;

    // The same profile with a wrong key, in a HOME of its own: 401, exit 4.
    let wrong = tempfile::tempdir().context("cannot create a temporary HOME")?;
    copy_profile_with_key(home, wrong.path(), "wrong-key")?;
    let mut wrong_ax = Ax {
        bin: &args.ax,
        home: wrong.path(),
        limit,
        commands: 0,
    };
    let out = wrong_ax
        .run(&["role-bindings", "list", "--resource-type", "SPACE"])
        .await?;
    report.check(
        c,
        "role-bindings list with a wrong key (401)",
        api_error(&out, 401),
    );
    Ok(ax.commands + wrong_ax.commands)
}

/// The profile `ax profiles create` wrote: `single_port` a string.
fn check_written_profile(home: &Path, port: &str) -> Result<(), String> {
    let dir = home.join(".arize");
    let active = std::fs::read_to_string(dir.join(".active_profile"))
        .map_err(|e| format!("~/.arize/.active_profile: {e}"))?;
    if active.trim() != PROFILE {
        return Err(format!("~/.arize/.active_profile is {active:?}"));
    }
    let path = dir.join("profiles").join(format!("{PROFILE}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let profile: toml::Table = toml::from_str(&text).map_err(|e| format!("not TOML: {e}"))?;
    let get = |table: &str, key: &str| profile.get(table).and_then(|t| t.get(key)).cloned();
    let want = [
        ("profile", "name", toml::Value::from(PROFILE)),
        ("auth", "auth_method", toml::Value::from("api-key")),
        ("auth", "api_key", toml::Value::from(API_KEY)),
        ("routing", "single_host", toml::Value::from("127.0.0.1")),
        // A string, not an integer: what readers of ax profiles must take.
        ("routing", "single_port", toml::Value::from(port)),
        ("routing", "api_scheme", toml::Value::from("http")),
        ("output", "format", toml::Value::from("json")),
    ];
    for (table, key, value) in want {
        let found = get(table, key);
        if found.as_ref() != Some(&value) {
            return Err(format!("[{table}] {key} = {found:?}, expected {value}"));
        }
    }
    Ok(())
}

/// Copies the `ax`-written profile from `from` to `to` (a HOME each),
/// with `key` as its API key.
fn copy_profile_with_key(from: &Path, to: &Path, key: &str) -> anyhow::Result<()> {
    let source = from.join(".arize/profiles").join(format!("{PROFILE}.toml"));
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("cannot read {}", source.display()))?;
    let mut profile: toml::Table = toml::from_str(&text).context("the ax profile is not TOML")?;
    let auth = profile
        .get_mut("auth")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| anyhow!("the ax profile has no [auth]"))?;
    auth.insert("api_key".into(), toml::Value::from(key));
    let dir = to.join(".arize/profiles");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        dir.join(format!("{PROFILE}.toml")),
        toml::to_string(&profile).context("cannot write the profile")?,
    )?;
    std::fs::write(to.join(".arize/.active_profile"), PROFILE)?;
    Ok(())
}

/// The `ax` list output's records and pagination.
fn list_page(out: &Outcome, key: &str) -> Result<(Vec<Value>, bool, Option<String>), String> {
    out.exit(0)?;
    let body = out.json()?;
    let items = body
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| format!("no `{key}` array in {}", cut(&out.stdout)))?;
    let pagination = body
        .get("pagination")
        .ok_or_else(|| format!("no `pagination` in {}", cut(&out.stdout)))?;
    let has_more = pagination
        .get("has_more")
        .and_then(Value::as_bool)
        .ok_or_else(|| format!("no `pagination.has_more` in {pagination}"))?;
    let cursor = pagination
        .get("next_cursor")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if has_more != cursor.is_some() {
        return Err(format!(
            "has_more {has_more} with next_cursor {cursor:?}: next_cursor is present exactly when has_more"
        ));
    }
    Ok((items, has_more, cursor))
}

/// A whole list in one page: equal to `expected`, `has_more` false.
fn one_page(out: &Outcome, key: &str, expected: &[Value]) -> Result<(), String> {
    let (items, has_more, _) = list_page(out, key)?;
    if has_more {
        return Err("has_more is true for a list that fits one page".into());
    }
    same(&Value::Array(expected.to_vec()), &Value::Array(items))
}

fn record(out: &Outcome, expected: &Value) -> Result<(), String> {
    out.exit(0)?;
    same(expected, &out.json()?)
}

/// An API error: exit code 4, the status in the message.
fn api_error(out: &Outcome, status: u16) -> Result<(), String> {
    out.exit(4)?;
    if out.stderr.contains(&status.to_string()) {
        Ok(())
    } else {
        Err(format!(
            "stderr does not name {status}: {:?}",
            cut(&out.stderr)
        ))
    }
}

/// A user and a project with no binding of that user on it.
fn free_pair(server: &FakeServer) -> anyhow::Result<(String, String)> {
    let bindings = server.bindings();
    for user in server.users() {
        for project in server.projects() {
            if !bindings
                .iter()
                .any(|b| *b.user_id == *user && *b.resource_id == *project)
            {
                return Ok((user, project));
            }
        }
    }
    bail!("every user has a binding on every project; the seed leaves no free pair")
}

async fn ax_role_bindings(
    ax: &mut Ax<'_>,
    server: &FakeServer,
    report: &mut Report,
) -> anyhow::Result<()> {
    let c = "ax";
    let spaces: Vec<Value> = bindings_of(server, RoleBindingResourceType::Space, None)
        .iter()
        .map(to_json)
        .collect();

    let out = ax
        .run(&["role-bindings", "list", "--resource-type", "SPACE"])
        .await?;
    report.check(
        c,
        "role-bindings list --resource-type SPACE",
        one_page(&out, "role_bindings", &spaces),
    );

    // Every page, three at a time.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    let outcome = loop {
        pages += 1;
        if pages > spaces.len() + 2 {
            break Err(format!("more than {} pages", spaces.len() + 2));
        }
        let mut argv = vec!["role-bindings", "list", "--resource-type", "SPACE"];
        argv.extend(["--limit", "3"]);
        if let Some(cursor) = &cursor {
            argv.extend(["--cursor", cursor.as_str()]);
        }
        let out = ax.run(&argv).await?;
        match list_page(&out, "role_bindings") {
            Err(e) => break Err(format!("page {pages}: {e}")),
            Ok((items, has_more, next)) => {
                if items.len() > 3 {
                    break Err(format!("page {pages}: {} items for --limit 3", items.len()));
                }
                walked.extend(items);
                if !has_more {
                    break Ok(());
                }
                cursor = next;
            }
        }
    };
    let expected_pages = spaces.len().div_ceil(3);
    report.check(
        c,
        &format!(
            "role-bindings list --limit 3 --cursor ... ({} bindings)",
            spaces.len()
        ),
        outcome
            .and_then(|()| same(&Value::Array(spaces.clone()), &Value::Array(walked)))
            .and_then(|()| {
                if pages == expected_pages {
                    Ok(())
                } else {
                    Err(format!("{pages} pages, expected {expected_pages}"))
                }
            }),
    );

    // Filtered by user.
    let user = server.users()[0].clone();
    let of_user: Vec<Value> = bindings_of(server, RoleBindingResourceType::Project, Some(&user))
        .iter()
        .map(to_json)
        .collect();
    let out = ax
        .run(&[
            "role-bindings",
            "list",
            "--resource-type",
            "PROJECT",
            "--user-id",
            &user,
        ])
        .await?;
    report.check(
        c,
        "role-bindings list --resource-type PROJECT --user-id",
        one_page(&out, "role_bindings", &of_user),
    );

    // Create, the duplicate, get, update, delete, get again.
    let (user, project) = free_pair(server)?;
    let roles = server.roles();
    let (role, other_role) = (roles[0].clone(), roles[1].clone());
    let before = server.bindings().len();
    let create = [
        "role-bindings",
        "create",
        "--user-id",
        &user,
        "--role-id",
        &role,
        "--resource-type",
        "PROJECT",
        "--resource-id",
        &project,
    ];
    let out = ax.run(&create).await?;
    let created = out
        .json()
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
    let stored = created.as_deref().and_then(|id| server.binding(id));
    report.check(
        c,
        "role-bindings create",
        out.exit(0).and_then(|()| {
            let stored = stored
                .as_ref()
                .ok_or_else(|| format!("the fake has no binding {created:?}"))?;
            let want = json!({"user_id": user, "role_id": role, "resource_type": "PROJECT", "resource_id": project});
            for (key, value) in want.as_object().into_iter().flatten() {
                if to_json(stored).get(key) != Some(value) {
                    return Err(format!("stored {key} is {:?}, expected {value}", to_json(stored).get(key)));
                }
            }
            if server.bindings().len() != before + 1 {
                return Err(format!("{} bindings after create, expected {}", server.bindings().len(), before + 1));
            }
            same(&to_json(stored), &out.json()?)
        }),
    );
    let Some(id) = created else {
        bail!("ax role-bindings create gave no ID; cannot go on with get/update/delete");
    };

    let out = ax.run(&create).await?;
    report.check(
        c,
        "role-bindings create (the same again: 409)",
        api_error(&out, 409).and_then(|()| {
            let now = server.bindings().len();
            if now == before + 1 {
                Ok(())
            } else {
                Err(format!(
                    "{now} bindings after the duplicate, expected {}",
                    before + 1
                ))
            }
        }),
    );

    let out = ax.run(&["role-bindings", "get", &id]).await?;
    let stored = server.binding(&id).as_ref().map(to_json);
    report.check(
        c,
        "role-bindings get",
        record(&out, stored.as_ref().unwrap_or(&Value::Null)),
    );

    let out = ax
        .run(&["role-bindings", "update", &id, "--role-id", &other_role])
        .await?;
    let updated = server.binding(&id);
    report.check(
        c,
        "role-bindings update --role-id",
        (|| {
            let updated = updated.as_ref().ok_or("the binding is gone after update")?;
            let original = stored.as_ref().ok_or("no binding before update")?;
            if *updated.role_id != *other_role {
                return Err(format!(
                    "stored role_id {}, expected {other_role}",
                    *updated.role_id
                ));
            }
            if to_json(updated).get("created_at") != original.get("created_at") {
                return Err("created_at changed on update".into());
            }
            record(&out, &to_json(updated))
        })(),
    );

    let out = ax.run(&["role-bindings", "delete", &id, "--force"]).await?;
    report.check(
        c,
        "role-bindings delete --force",
        out.exit(0).and_then(|()| match server.binding(&id) {
            None => Ok(()),
            Some(_) => Err("the fake still has the binding".into()),
        }),
    );

    let out = ax.run(&["role-bindings", "get", &id]).await?;
    report.check(c, "role-bindings get (deleted: 404)", api_error(&out, 404));
    let out = ax.run(&["role-bindings", "delete", &id, "--force"]).await?;
    report.check(
        c,
        "role-bindings delete (deleted: 404)",
        api_error(&out, 404),
    );

    // A user the account does not have: 404.
    let missing_user = arize_fake_server::encode_global_id("User", 999, "none");
    let out = ax
        .run(&[
            "role-bindings",
            "create",
            "--user-id",
            &missing_user,
            "--role-id",
            &role,
            "--resource-type",
            "PROJECT",
            "--resource-id",
            &project,
        ])
        .await?;
    report.check(
        c,
        "role-bindings create (unknown user: 404)",
        api_error(&out, 404),
    );

    // A usage error: exit 2 and no request.
    let sent = server.total_requests();
    let out = ax
        .run(&["role-bindings", "list", "--resource-type", "BOGUS"])
        .await?;
    report.check(
        c,
        "role-bindings list --resource-type BOGUS (usage: 2)",
        out.exit(2).and_then(|()| {
            if server.total_requests() == sent {
                Ok(())
            } else {
                Err("a request reached the fake".into())
            }
        }),
    );
    Ok(())
}

async fn ax_directory(
    ax: &mut Ax<'_>,
    server: &FakeServer,
    report: &mut Report,
) -> anyhow::Result<()> {
    let c = "ax";
    let directory = server.directory();
    let users: Vec<Value> = directory.users.iter().map(to_json).collect();
    let roles: Vec<Value> = directory.roles.iter().map(to_json).collect();
    let spaces: Vec<Value> = directory.spaces.iter().map(to_json).collect();
    let projects: Vec<Value> = directory.projects.iter().map(to_json).collect();

    let out = ax.run(&["users", "list"]).await?;
    report.check(c, "users list", one_page(&out, "users", &users));
    let second = &directory.users[1];
    let out = ax.run(&["users", "get", &second.email]).await?;
    report.check(c, "users get EMAIL", record(&out, &users[1]));
    let out = ax.run(&["users", "get", &second.id]).await?;
    report.check(c, "users get ID", record(&out, &users[1]));

    let out = ax.run(&["roles", "list", "--limit", "100"]).await?;
    report.check(c, "roles list --limit 100", one_page(&out, "roles", &roles));
    let out = ax.run(&["roles", "list", "--is-predefined"]).await?;
    let predefined: Vec<Value> = directory
        .roles
        .iter()
        .filter(|r| r.is_predefined)
        .map(to_json)
        .collect();
    report.check(
        c,
        "roles list --is-predefined",
        one_page(&out, "roles", &predefined),
    );
    let member = directory
        .role_named("Member")
        .map(to_json)
        .ok_or_else(|| anyhow!("the fake has no role named Member"))?;
    let out = ax.run(&["roles", "get", "Member"]).await?;
    report.check(c, "roles get NAME", record(&out, &member));
    let out = ax.run(&["roles", "get", &directory.roles[0].id]).await?;
    report.check(c, "roles get ID", record(&out, &roles[0]));

    let out = ax.run(&["spaces", "list", "--limit", "100"]).await?;
    report.check(c, "spaces list", one_page(&out, "spaces", &spaces));
    let space = &directory.spaces[1];
    let out = ax.run(&["spaces", "get", &space.name]).await?;
    report.check(c, "spaces get NAME", record(&out, &spaces[1]));
    let out = ax.run(&["spaces", "get", &space.id]).await?;
    report.check(c, "spaces get ID", record(&out, &spaces[1]));

    let out = ax.run(&["projects", "list", "--limit", "100"]).await?;
    report.check(c, "projects list", one_page(&out, "projects", &projects));
    let in_space: Vec<Value> = directory
        .projects
        .iter()
        .filter(|p| p.space_id == space.id)
        .map(to_json)
        .collect();
    let out = ax
        .run(&["projects", "list", "--space", &space.name])
        .await?;
    report.check(
        c,
        "projects list --space NAME",
        one_page(&out, "projects", &in_space),
    );
    let project = directory
        .projects
        .iter()
        .find(|p| p.space_id == space.id)
        .ok_or_else(|| anyhow!("no project in {}", space.name))?;
    let out = ax
        .run(&["projects", "get", &project.name, "--space", &space.name])
        .await?;
    report.check(
        c,
        "projects get NAME --space NAME",
        record(&out, &to_json(project)),
    );
    let out = ax.run(&["projects", "get", &project.id]).await?;
    report.check(c, "projects get ID", record(&out, &to_json(project)));
    Ok(())
}

/// Our CLI reads the profile `ax` wrote (string `single_port`) and lists
/// what `ax` lists.
async fn drive_arize_access(
    bin: &Path,
    home: &Path,
    server: &FakeServer,
    limit: Duration,
    report: &mut Report,
) -> anyhow::Result<usize> {
    let out = run_child(
        bin,
        &[
            "--profile",
            PROFILE,
            "-o",
            "json",
            "role-bindings",
            "list",
            "--resource-type",
            "SPACE",
        ],
        home,
        limit,
    )
    .await?;
    let spaces: Vec<Value> = bindings_of(server, RoleBindingResourceType::Space, None)
        .iter()
        .map(to_json)
        .collect();
    report.check(
        "arize-access",
        "--profile (written by ax) role-bindings list --resource-type SPACE",
        record(&out, &Value::Array(spaces)),
    );
    Ok(1)
}

/// Every request the fake logged carries the bearer key and the SDK
/// identity headers, `sdk-package-name` naming `package`.
fn check_identity_headers(server: &FakeServer, client: &str, package: &str, report: &mut Report) {
    let requests = server.requests();
    let outcome = (|| {
        if requests.is_empty() {
            return Err("the fake logged no request".to_owned());
        }
        for request in &requests {
            let header = |name: &str| {
                request
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            };
            let what = format!("{} {}", request.method, request.raw_path);
            if !header("authorization").is_some_and(|v| v.starts_with("Bearer ")) {
                return Err(format!("{what}: no `Authorization: Bearer`"));
            }
            for name in IDENTITY_HEADERS {
                if header(name).is_none_or(str::is_empty) {
                    return Err(format!("{what}: no `{name}` header"));
                }
            }
            if header("sdk-package-name") != Some(package) {
                return Err(format!(
                    "{what}: sdk-package-name {:?}, expected {package:?}",
                    header("sdk-package-name")
                ));
            }
        }
        Ok(())
    })();
    report.check(
        client,
        &format!(
            "identity headers on all {} requests ({})",
            requests.len(),
            IDENTITY_HEADERS.join(", ")
        ),
        outcome,
    );
}

// --------------------------------------------------------- ax-client --

/// The running Node.js driver of `@arizeai/ax-client`.
struct Driver {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    limit: Duration,
    calls: usize,
}

impl Driver {
    async fn start(args: &Args, server: &FakeServer, limit: Duration) -> anyhow::Result<Self> {
        let mut child = Command::new(&args.node)
            .arg(&args.driver)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AX_CLIENT_DIR", &args.node_dir)
            .env("ARIZE_API_KEY", API_KEY)
            .env("ARIZE_BASE_URL", server.base_url())
            .env("DISABLE_PRERELEASE_WARNING", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {} {}",
                    args.node.display(),
                    args.driver.display()
                )
            })?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut driver = Self {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            limit,
            calls: 0,
        };
        let ready = driver.read().await?;
        let version = ready.get("ready").and_then(Value::as_str).unwrap_or("");
        if version != AX_CLIENT_VERSION {
            bail!(
                "the driver loaded @arizeai/ax-client {version:?} from {}, expected {AX_CLIENT_VERSION}",
                args.node_dir.display()
            );
        }
        Ok(driver)
    }

    async fn read(&mut self) -> anyhow::Result<Value> {
        let line = tokio::time::timeout(self.limit, self.lines.next_line())
            .await
            .map_err(|_| {
                anyhow!(
                    "the ax-client driver did not answer within {:?}",
                    self.limit
                )
            })?
            .context("reading the ax-client driver")?
            .ok_or_else(|| anyhow!("the ax-client driver exited"))?;
        serde_json::from_str(&line).with_context(|| format!("the driver wrote {line:?}"))
    }

    /// Calls `function(args)`; `Ok` is the result, `Err` the thrown error.
    async fn call(&mut self, function: &str, args: Value) -> anyhow::Result<Result<Value, Value>> {
        self.call_as(function, args, None).await
    }

    async fn call_as(
        &mut self,
        function: &str,
        args: Value,
        api_key: Option<&str>,
    ) -> anyhow::Result<Result<Value, Value>> {
        self.calls += 1;
        let mut request = json!({"fn": function, "args": args});
        if let Some(key) = api_key {
            request["apiKey"] = json!(key);
        }
        let mut line = request.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .await
            .context("writing to the ax-client driver")?;
        let answer = self.read().await?;
        if let Some(error) = answer.get("error") {
            if error.get("name").and_then(Value::as_str) == Some("DriverError") {
                bail!("driver: {error}");
            }
            return Ok(Err(error.clone()));
        }
        Ok(Ok(answer.get("ok").cloned().unwrap_or(Value::Null)))
    }

    /// Pages through `function` with `limit` until `hasMore` is false.
    async fn walk(
        &mut self,
        function: &str,
        args: Value,
        limit: usize,
        bound: usize,
    ) -> anyhow::Result<Result<(Vec<Value>, usize), String>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for page in 1..=bound {
            let mut args = args.clone();
            args["limit"] = json!(limit);
            if let Some(cursor) = &cursor {
                args["cursor"] = json!(cursor);
            }
            let answer = match self.call(function, args).await? {
                Ok(answer) => answer,
                Err(error) => return Ok(Err(format!("page {page}: threw {error}"))),
            };
            let Some(data) = answer.get("data").and_then(Value::as_array) else {
                return Ok(Err(format!("page {page}: no `data` array in {answer}")));
            };
            if data.len() > limit {
                return Ok(Err(format!(
                    "page {page}: {} items for limit {limit}",
                    data.len()
                )));
            }
            items.extend(data.iter().cloned());
            let has_more = answer
                .pointer("/pagination/hasMore")
                .and_then(Value::as_bool);
            let next = answer
                .pointer("/pagination/nextCursor")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match (has_more, next) {
                (Some(false), None) => return Ok(Ok((items, page))),
                (Some(true), Some(next)) => cursor = Some(next),
                (has_more, next) => {
                    return Ok(Err(format!(
                        "page {page}: hasMore {has_more:?} with nextCursor {next:?}"
                    )));
                }
            }
        }
        Ok(Err(format!("more than {bound} pages")))
    }

    async fn stop(mut self) {
        drop(self.stdin);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.start_kill();
    }
}

/// `answer` is the client's form of `expected` (the fake's wire JSON).
fn camel_same(expected: &Value, answer: &Result<Value, Value>) -> Result<(), String> {
    match answer {
        Ok(actual) => same(&camel_top(expected), actual),
        Err(error) => Err(format!("threw {error}")),
    }
}

fn camel_list(
    expected: &[Value],
    answer: &Result<(Vec<Value>, usize), String>,
    pages: usize,
) -> Result<(), String> {
    let (items, walked) = answer.as_ref().map_err(Clone::clone)?;
    let expected: Vec<Value> = expected.iter().map(camel_top).collect();
    same(&Value::Array(expected), &Value::Array(items.clone()))?;
    if *walked == pages {
        Ok(())
    } else {
        Err(format!("{walked} pages, expected {pages}"))
    }
}

/// The client threw its typed error `name` with `statusCode` `status`.
fn threw(answer: &Result<Value, Value>, name: &str, status: u16) -> Result<(), String> {
    match answer {
        Ok(value) => Err(format!("returned {value}, expected {name} ({status})")),
        Err(error) => {
            let got_name = error.get("name").and_then(Value::as_str);
            let got_status = error.get("statusCode").and_then(Value::as_u64);
            if got_name == Some(name) && got_status == Some(u64::from(status)) {
                Ok(())
            } else {
                Err(format!(
                    "threw {error}, expected {name} with statusCode {status}"
                ))
            }
        }
    }
}

async fn drive_ax_client(
    args: &Args,
    server: &FakeServer,
    limit: Duration,
    report: &mut Report,
) -> anyhow::Result<usize> {
    let mut d = Driver::start(args, server, limit).await?;
    let c = "ax-client";
    let spaces: Vec<Value> = bindings_of(server, RoleBindingResourceType::Space, None)
        .iter()
        .map(to_json)
        .collect();
    let projects: Vec<Value> = bindings_of(server, RoleBindingResourceType::Project, None)
        .iter()
        .map(to_json)
        .collect();

    let walk = d
        .walk("listRoleBindings", json!({"resourceType": "SPACE"}), 3, 50)
        .await?;
    report.check(
        c,
        &format!(
            "listRoleBindings SPACE, every page of 3 ({} bindings)",
            spaces.len()
        ),
        camel_list(&spaces, &walk, spaces.len().div_ceil(3)),
    );
    let walk = d
        .walk(
            "listRoleBindings",
            json!({"resourceType": "PROJECT"}),
            50,
            5,
        )
        .await?;
    report.check(
        c,
        "listRoleBindings PROJECT (default page size)",
        camel_list(&projects, &walk, 1),
    );
    let user = server.users()[1].clone();
    let of_user: Vec<Value> = bindings_of(server, RoleBindingResourceType::Space, Some(&user))
        .iter()
        .map(to_json)
        .collect();
    let walk = d
        .walk(
            "listRoleBindings",
            json!({"resourceType": "SPACE", "userId": user}),
            50,
            5,
        )
        .await?;
    report.check(
        c,
        "listRoleBindings SPACE userId",
        camel_list(&of_user, &walk, 1),
    );

    let first = &spaces[0];
    let first_id = first["id"].as_str().unwrap_or_default().to_owned();
    let answer = d
        .call("getRoleBinding", json!({"bindingId": first_id}))
        .await?;
    report.check(c, "getRoleBinding", camel_same(first, &answer));

    let (user, project) = free_pair(server)?;
    let roles = server.roles();
    let before = server.bindings().len();
    let create = json!({"userId": user, "roleId": roles[0], "resourceType": "PROJECT", "resourceId": project});
    let answer = d.call("createRoleBinding", create.clone()).await?;
    let id = answer
        .as_ref()
        .ok()
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let stored = id.as_deref().and_then(|id| server.binding(id));
    report.check(
        c,
        "createRoleBinding",
        (|| {
            let stored = stored
                .as_ref()
                .ok_or_else(|| format!("the fake has no binding {id:?}"))?;
            if *stored.user_id != *user
                || *stored.role_id != *roles[0]
                || *stored.resource_id != *project
            {
                return Err(format!("stored {}", to_json(stored)));
            }
            if server.bindings().len() != before + 1 {
                return Err("the fake's count did not grow by one".into());
            }
            camel_same(&to_json(stored), &answer)
        })(),
    );
    let Some(id) = id else {
        bail!("createRoleBinding gave no ID; cannot go on");
    };
    let answer = d.call("createRoleBinding", create).await?;
    report.check(
        c,
        "createRoleBinding (the same again: APIError 409)",
        threw(&answer, "APIError", 409).and_then(|()| {
            if server.bindings().len() == before + 1 {
                Ok(())
            } else {
                Err("the duplicate changed the fake's count".into())
            }
        }),
    );
    let answer = d
        .call(
            "updateRoleBinding",
            json!({"bindingId": id, "roleId": roles[1]}),
        )
        .await?;
    let updated = server.binding(&id);
    report.check(
        c,
        "updateRoleBinding",
        (|| {
            let updated = updated.as_ref().ok_or("the binding is gone")?;
            if *updated.role_id != *roles[1] {
                return Err(format!("stored role_id {}", *updated.role_id));
            }
            if stored.as_ref().map(|s| s.created_at) != Some(updated.created_at) {
                return Err("created_at changed".into());
            }
            camel_same(&to_json(updated), &answer)
        })(),
    );
    let answer = d
        .call("deleteRoleBinding", json!({"bindingId": id}))
        .await?;
    report.check(
        c,
        "deleteRoleBinding",
        match (&answer, server.binding(&id)) {
            (Ok(Value::Null), None) => Ok(()),
            (Ok(_), Some(_)) => Err("the fake still has the binding".into()),
            (Ok(value), None) => Err(format!("returned {value}, expected nothing")),
            (Err(error), _) => Err(format!("threw {error}")),
        },
    );
    let answer = d.call("getRoleBinding", json!({"bindingId": id})).await?;
    report.check(
        c,
        "getRoleBinding (deleted: NotFoundError 404)",
        threw(&answer, "NotFoundError", 404),
    );
    let missing_user = arize_fake_server::encode_global_id("User", 999, "none");
    let answer = d
        .call(
            "createRoleBinding",
            json!({"userId": missing_user, "roleId": roles[0], "resourceType": "PROJECT", "resourceId": project}),
        )
        .await?;
    report.check(
        c,
        "createRoleBinding (unknown user: NotFoundError 404)",
        threw(&answer, "NotFoundError", 404),
    );
    let answer = d
        .call_as(
            "listRoleBindings",
            json!({"resourceType": "SPACE"}),
            Some("wrong-key"),
        )
        .await?;
    report.check(
        c,
        "listRoleBindings with a wrong key (AuthenticationError 401)",
        threw(&answer, "AuthenticationError", 401),
    );

    // The directory.
    let directory = server.directory();
    let users: Vec<Value> = directory.users.iter().map(to_json).collect();
    let roles: Vec<Value> = directory.roles.iter().map(to_json).collect();
    let spaces: Vec<Value> = directory.spaces.iter().map(to_json).collect();
    let projects: Vec<Value> = directory.projects.iter().map(to_json).collect();

    let walk = d.walk("listUsers", json!({}), 2, 20).await?;
    report.check(
        c,
        "listUsers, every page of 2",
        camel_list(&users, &walk, users.len().div_ceil(2)),
    );
    let wanted: Vec<Value> = directory
        .users
        .iter()
        .filter(|u| u.email.to_lowercase().contains("user2"))
        .map(to_json)
        .collect();
    let walk = d
        .walk("listUsers", json!({"email": "USER2"}), 50, 5)
        .await?;
    report.check(
        c,
        "listUsers email (partial, any case)",
        camel_list(&wanted, &walk, 1),
    );
    let answer = d
        .call("getUser", json!({"userId": directory.users[1].id}))
        .await?;
    report.check(c, "getUser", camel_same(&users[1], &answer));

    let walk = d.walk("listRoles", json!({}), 3, 20).await?;
    report.check(
        c,
        "listRoles, every page of 3",
        camel_list(&roles, &walk, roles.len().div_ceil(3)),
    );
    let predefined: Vec<Value> = directory
        .roles
        .iter()
        .filter(|r| r.is_predefined)
        .map(to_json)
        .collect();
    let walk = d
        .walk("listRoles", json!({"isPredefined": true}), 50, 5)
        .await?;
    report.check(
        c,
        "listRoles isPredefined",
        camel_list(&predefined, &walk, 1),
    );
    let answer = d
        .call("getRole", json!({"roleId": directory.roles[0].id}))
        .await?;
    report.check(c, "getRole", camel_same(&roles[0], &answer));

    let walk = d.walk("listSpaces", json!({}), 2, 20).await?;
    report.check(
        c,
        "listSpaces, every page of 2",
        camel_list(&spaces, &walk, spaces.len().div_ceil(2)),
    );
    let space = &directory.spaces[1];
    let answer = d.call("getSpace", json!({"space": space.name})).await?;
    report.check(c, "getSpace NAME", camel_same(&spaces[1], &answer));
    let answer = d.call("getSpace", json!({"space": space.id})).await?;
    report.check(c, "getSpace ID", camel_same(&spaces[1], &answer));

    let walk = d.walk("listProjects", json!({}), 2, 20).await?;
    report.check(
        c,
        "listProjects, every page of 2",
        camel_list(&projects, &walk, projects.len().div_ceil(2)),
    );
    let in_space: Vec<Value> = directory
        .projects
        .iter()
        .filter(|p| p.space_id == space.id)
        .map(to_json)
        .collect();
    let walk = d
        .walk("listProjects", json!({"space": space.name}), 50, 5)
        .await?;
    report.check(
        c,
        "listProjects space NAME",
        camel_list(&in_space, &walk, 1),
    );
    let project = directory
        .projects
        .iter()
        .find(|p| p.space_id == space.id)
        .ok_or_else(|| anyhow!("no project in {}", space.name))?;
    let answer = d
        .call(
            "getProject",
            json!({"project": project.name, "space": space.name}),
        )
        .await?;
    report.check(
        c,
        "getProject NAME space NAME",
        camel_same(&to_json(project), &answer),
    );
    let answer = d.call("getProject", json!({"project": project.id})).await?;
    report.check(c, "getProject ID", camel_same(&to_json(project), &answer));

    let calls = d.calls;
    d.stop().await;
    Ok(calls)
}
