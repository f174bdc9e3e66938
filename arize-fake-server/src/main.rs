//! `arize-fake-server`: run the fake role-bindings API on 127.0.0.1.
//!
//! Prints one JSON line on stdout — the base URL and the seeded records
//! (users with names and e-mails, roles, spaces, projects with their
//! space, model IDs, bindings) — then serves until interrupted (Ctrl-C).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use arize_fake_server::{
    DEFAULT_API_KEY, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_LOG, FakeServer, Fault, FaultRule, Operation,
    RetryAfter, Seed,
};
use clap::Parser;

/// A stateful, fault-injecting fake of Arize's role-bindings REST API and
/// the directory it points into (users, roles, spaces, projects).
///
/// Serves the 13 operations of openapi/openapi.json on 127.0.0.1 and
/// prints one JSON line: the base URL and the seeded records (names with
/// IDs).
#[derive(Debug, Parser)]
#[command(name = "arize-fake-server", version)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Bearer key the server accepts (or env ARIZE_FAKE_API_KEY).
    #[arg(long, env = "ARIZE_FAKE_API_KEY", default_value = DEFAULT_API_KEY, hide_env_values = true)]
    api_key: String,
    /// Seed file (JSON; see the crate docs of `Seed::from_json`): users,
    /// roles, spaces and projects each a count or a list of IDs and objects
    /// (`{"email": "alice@example.com"}`, `{"name": "shared", "space":
    /// "prod"}`, ...). Not with the count flags below.
    #[arg(long, alias = "seed", conflicts_with_all = ["users", "roles", "no_predefined_roles", "spaces", "projects", "models", "bindings"])]
    seed_file: Option<PathBuf>,
    /// Number of users to generate ("User n", usern@example.com, ACTIVE,
    /// account role MEMBER).
    #[arg(long, default_value_t = 3)]
    users: usize,
    /// Number of custom roles to generate ("Custom Role k"), besides
    /// Arize's predefined "Admin", "Member", "Read Only" and "Annotator".
    #[arg(long, default_value_t = 3)]
    roles: usize,
    /// Leave out the predefined roles.
    #[arg(long)]
    no_predefined_roles: bool,
    /// Number of spaces to generate (space-n).
    #[arg(long, default_value_t = 2)]
    spaces: usize,
    /// Number of projects to generate (project-n, in the spaces in turn).
    #[arg(long, default_value_t = 2)]
    projects: usize,
    /// Number of models (PROJECT resources with Model: IDs) to generate.
    #[arg(long, default_value_t = 1)]
    models: usize,
    /// Number of bindings to generate over the users and resources.
    #[arg(long, default_value_t = 0)]
    bindings: usize,
    /// Make generated IDs reproducible.
    #[arg(long)]
    rng_seed: Option<u64>,
    /// Latency in milliseconds for every operation (see --latency-op).
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Restrict --latency-ms to one operation: an operationId (list_users,
    /// ...) or list, create, get, update, delete (role bindings),
    /// list-users, get-user, list-roles, get-role, list-spaces, get-space,
    /// list-projects, get-project.
    #[arg(long, requires = "latency_ms")]
    latency_op: Option<Operation>,
    /// Inject a fault: a status (429, 500, 502, 503, 504, ...), close-before,
    /// close-after-apply, close-mid-body, truncated-json, invalid-json,
    /// wrong-shape, html[:STATUS], text-plain-problem[:STATUS], empty-body,
    /// repeated-cursor, has-more-without-cursor, endless-empty-pages, hang
    /// (never answer).
    #[arg(long)]
    fault: Option<Fault>,
    /// Restrict --fault to one operation (names as for --latency-op).
    #[arg(long, requires = "fault")]
    fault_op: Option<Operation>,
    /// Fire the fault on the next N calls only.
    #[arg(long, requires = "fault", conflicts_with = "fail_every")]
    fail_next: Option<u32>,
    /// Fire the fault on every K-th call.
    #[arg(long, requires = "fault")]
    fail_every: Option<u32>,
    /// Retry-After of an injected 429: seconds, "none", or a raw value.
    #[arg(long, requires = "fault")]
    retry_after: Option<RetryAfter>,
    /// Keep the last N requests in the request log (older ones are
    /// dropped, so memory stays flat on a long run).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REQUEST_LOG)]
    request_log: usize,
    /// Seconds a client has to send a complete request head, from its first
    /// byte; then the connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(DEFAULT_HEADER_READ_TIMEOUT))]
    header_timeout: Seconds,
    /// Seconds a request body may take to arrive in full; then 408 and the
    /// connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(DEFAULT_BODY_TIMEOUT))]
    body_timeout: Seconds,
    /// Seconds a connection may wait for a request (after accept or after
    /// its previous response) before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = Seconds(DEFAULT_IDLE_TIMEOUT))]
    idle_timeout: Seconds,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
}

/// A duration given as a number of seconds (fractions allowed: `0.5`).
#[derive(Debug, Clone, Copy)]
struct Seconds(Duration);

impl std::str::FromStr for Seconds {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let value: f64 = text
            .parse()
            .map_err(|_| format!("`{text}` is not a number of seconds"))?;
        Duration::try_from_secs_f64(value)
            .map(Seconds)
            .map_err(|_| format!("`{text}` is not a non-negative number of seconds"))
    }
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("arize-fake-server: {error}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let seed = match &args.seed_file {
        Some(path) => Seed::from_file(path)?,
        None => Seed::empty()
            .users(args.users)
            .roles(args.roles)
            .spaces(args.spaces)
            .projects(args.projects)
            .models(args.models)
            .predefined_roles(!args.no_predefined_roles)
            .bindings(args.bindings),
    };
    let seed = match args.rng_seed {
        Some(s) => seed.rng_seed(s),
        None => seed,
    };
    let mut builder = FakeServer::builder()
        .api_key(args.api_key)
        .port(args.port)
        .seed(seed)
        .request_log(args.request_log)
        .header_read_timeout(args.header_timeout.0)
        .body_timeout(args.body_timeout.0)
        .idle_timeout(args.idle_timeout.0)
        .max_connections(args.max_connections);
    if let Some(ms) = args.latency_ms {
        builder = builder.latency(args.latency_op, Duration::from_millis(ms));
    }
    if let Some(fault) = args.fault {
        let fault = match (fault, args.retry_after) {
            (Fault::Status(429), Some(retry_after)) => Fault::RateLimited(retry_after),
            (fault, _) => fault,
        };
        let mut rule = FaultRule::new(fault);
        if let Some(op) = args.fault_op {
            rule = rule.on(op);
        }
        if let Some(n) = args.fail_next {
            rule = rule.next(n);
        }
        if let Some(k) = args.fail_every {
            rule = rule.every(k);
        }
        builder = builder.fault(rule);
    }
    let server = builder.start().await?;
    let directory = server.directory();
    let summary = serde_json::json!({
        "base_url": server.base_url(),
        "users": directory.users,
        "roles": directory.roles,
        "spaces": directory.spaces,
        "projects": directory.projects,
        "models": server.models(),
        "bindings": server.bindings(),
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{summary}");
    }
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
