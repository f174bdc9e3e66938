//! Conformance run: the fake server behind Stoplight Prism's validating
//! proxy, driven through every operation and every documented status.
//!
//! ```text
//! cargo run -p arize-tests --bin conformance -- --prism target/prism/node_modules/.bin/prism
//! ```
//!
//! Starts the fake in-process, starts `prism proxy openapi/openapi.json
//! <fake> --errors`, then runs each driver — the generated `arize-api`
//! client, then the `arize-role-bindings` facade — against Prism, each on a
//! fresh fake server. A call fails the run when
//! - its status is not the expected one,
//! - Prism refused the request (a `https://stoplight.io/prism/errors#...`
//!   problem, e.g. its own 422 or 401),
//! - the response carries an `sl-violations` header,
//! - or the fake's request log does not show the fake answering it with
//!   that status (so the answer provably came from the fake);
//! - an error answer does not carry the fake's problem (`type` under
//!   `https://arize.com/docs/ax/rest-reference/errors`, `status` equal to
//!   the HTTP status), or a 429 does not carry `Retry-After: 2` as the
//!   client parsed it;
//! - a facade call made other than exactly one request (its retry policy
//!   allows one attempt, so each injected fault is seen exactly once).
//!
//! At the end Prism's log is scanned for violations and errors, and every
//! driver must have covered the 5 successes and the 25 documented
//! (operation, error status) pairs.
//!
//! To add a driver, write an `async fn(&Harness, &mut
//! Recorder) -> anyhow::Result<()>` and add it to [`DRIVERS`].
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener as StdTcpListener;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use arize_api::types::{
    CreateRoleBindingRequest, Id, Problem, RoleBindingResourceType, UpdateRoleBindingRequest,
};
use arize_api::{Client, ResponseValue};
use arize_fake_server::{
    Delivery, FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed, encode_global_id,
};
use arize_role_bindings as facade;
use clap::Parser;
use futures::TryStreamExt as _;
use futures::future::BoxFuture;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Drive the fake server through Prism's validating proxy.
#[derive(Debug, Parser)]
struct Args {
    /// Path to the `prism` executable (Prism 5.x).
    #[arg(long, default_value_os_t = default_prism())]
    prism: PathBuf,
    /// The OpenAPI document.
    #[arg(long, default_value_os_t = workspace_root().join("openapi/openapi.json"))]
    spec: PathBuf,
    /// How long to wait for Prism to listen.
    #[arg(long, default_value_t = 90)]
    startup_timeout_secs: u64,
    /// Print Prism's log at the end.
    #[arg(long)]
    verbose: bool,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn default_prism() -> PathBuf {
    workspace_root().join("target/prism/node_modules/.bin/prism")
}

/// A driver: exercises every operation and documented status through the
/// harness, recording each call.
type Driver = for<'a> fn(&'a Harness, &'a mut Recorder) -> BoxFuture<'a, anyhow::Result<()>>;

/// The drivers, run in order, each on a fresh fake server.
const DRIVERS: &[(&str, Driver)] = &[
    ("generated arize-api client", |h, r| {
        Box::pin(drive_generated_client(h, r))
    }),
    ("arize-role-bindings facade", |h, r| {
        Box::pin(drive_facade(h, r))
    }),
];

const API_KEY: &str = "conformance-key";

/// The `Retry-After` (seconds) of every injected 429; clients must report
/// exactly this.
const INJECTED_RETRY_AFTER: u64 = 2;

/// The `type` prefix of the fake's (and Arize's) problems.
const ARIZE_ERRORS: &str = "https://arize.com/docs/ax/rest-reference/errors#";

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("conformance: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<bool> {
    if !args.prism.exists() {
        bail!(
            "Prism not found at {} (install: npm install --prefix target/prism --no-audit --no-fund @stoplight/prism-cli@5)",
            args.prism.display()
        );
    }
    let mut all_ok = true;
    let mut violations = 0usize;
    for (name, driver) in DRIVERS {
        let fake = FakeServer::builder()
            .api_key(API_KEY)
            .seed(Seed::default())
            .start()
            .await
            .context("starting the fake server")?;
        let mut prism = Prism::start(args, fake.base_url()).await?;
        let harness = Harness {
            fake,
            prism_url: prism.url.clone(),
        };
        let mut recorder = Recorder::new(name);
        let driven = driver(&harness, &mut recorder).await;
        // Let Prism flush its log lines for the last calls.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let log = prism.stop().await;
        let log_violations: Vec<&String> = log.iter().filter(|l| is_violation_line(l)).collect();

        println!("== driver: {name} (via Prism at {})", harness.prism_url);
        let summary = recorder.summary();
        for line in &summary.lines {
            println!("   {line}");
        }
        if recorder.local_rejections > 0 {
            println!(
                "   rejected client-side as expected (no request sent): {}",
                recorder.local_rejections
            );
        }
        if let Err(error) = &driven {
            println!("   driver aborted: {error:#}");
        }
        for failure in &recorder.failures {
            println!("   FAIL: {failure}");
        }
        for line in &log_violations {
            println!("   PRISM LOG: {line}");
        }
        if args.verbose {
            for line in &log {
                println!("   prism| {line}");
            }
        }
        // A violation shows both in the answer and in Prism's log; count
        // the larger of the two, not their sum.
        let driver_violations = recorder.violations.max(log_violations.len());
        violations += driver_violations;
        println!(
            "   calls flagged by Prism (sl-violations or a Prism-generated answer): {}; Prism log lines reporting violations or errors: {}",
            recorder.violations,
            log_violations.len()
        );
        println!(
            "   operations exercised: {}/5; statuses exercised: {}/{} ({} successes, {} documented errors); calls: {}",
            summary.operations,
            summary.covered,
            summary.expected,
            5,
            summary.expected - 5,
            recorder.calls
        );
        println!("   violations: {driver_violations}");
        let ok = driven.is_ok()
            && recorder.failures.is_empty()
            && log_violations.is_empty()
            && summary.covered == summary.expected;
        println!("   result: {}", if ok { "PASS" } else { "FAIL" });
        all_ok &= ok;
        harness.fake.shutdown().await;
    }
    println!(
        "conformance: {} driver(s), violations: {violations}, {}",
        DRIVERS.len(),
        if all_ok { "PASS" } else { "FAIL" }
    );
    Ok(all_ok)
}

/// Lines of Prism's log that report a violation or a refused request.
fn is_violation_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.contains("violation")
        || lower.contains("request terminated with error")
        || line.contains('✖')
        || line.contains('⚠')
}

// ----- Prism -----

struct Prism {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

fn free_port() -> anyhow::Result<u16> {
    let listener = StdTcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

impl Prism {
    async fn start(args: &Args, upstream: &str) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut child = Command::new(&args.prism)
            .arg("proxy")
            .arg(&args.spec)
            .arg(upstream)
            .args(["--errors", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", args.prism.display()))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(2);
        let pipes: [Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>; 2] = [
            child.stdout.take().map(|s| Box::new(s) as _),
            child.stderr.take().map(|s| Box::new(s) as _),
        ];
        for pipe in pipes.into_iter().flatten() {
            let log = Arc::clone(&log);
            let ready = ready_tx.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(pipe).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line.contains("Prism is listening") {
                        let _ = ready.try_send(());
                    }
                    if let Ok(mut log) = log.lock() {
                        log.push(line);
                    }
                }
            });
        }
        drop(ready_tx);
        let deadline = Duration::from_secs(args.startup_timeout_secs);
        match tokio::time::timeout(deadline, ready_rx.recv()).await {
            Ok(Some(())) => {}
            Ok(None) | Err(_) => {
                let _ = child.start_kill();
                let lines = log.lock().map(|l| l.join("\n")).unwrap_or_default();
                bail!(
                    "Prism did not start listening within {}s; its output:\n{lines}",
                    args.startup_timeout_secs
                );
            }
        }
        Ok(Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    async fn stop(&mut self) -> Vec<String> {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

// ----- harness and recorder -----

/// What a driver gets: the fake (for seeded IDs, fault injection and its
/// request log) and Prism's URL.
#[derive(Debug)]
pub struct Harness {
    /// The fake server behind Prism.
    pub fake: FakeServer,
    /// Prism's base URL: point clients here.
    pub prism_url: String,
}

impl Harness {
    /// A `reqwest::Client` sending `Authorization: Bearer <key>`.
    fn http_client(key: &str) -> anyhow::Result<reqwest::Client> {
        let mut value = HeaderValue::from_str(&format!("Bearer {key}"))?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value);
        Ok(reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .build()?)
    }

    /// The generated client through Prism, with the right key.
    fn client(&self) -> anyhow::Result<Client> {
        self.client_with_key(API_KEY)
    }

    /// The generated client through Prism, with another key.
    fn client_with_key(&self, key: &str) -> anyhow::Result<Client> {
        Ok(Client::new_with_client(
            &self.prism_url,
            Self::http_client(key)?,
        ))
    }

    /// Arranges for the next call of `op` to be answered by `fault`.
    fn inject_once(&self, op: Operation, fault: Fault) {
        self.fake
            .faults()
            .inject(FaultRule::new(fault).on(op).next(1));
    }
}

/// What one call produced, as seen by the client.
#[derive(Debug, Default)]
pub struct Observed {
    /// The HTTP status, `None` for a transport failure.
    pub status: Option<u16>,
    /// The response headers, if a response arrived.
    pub headers: Option<HeaderMap>,
    /// The problem `type`, for problem bodies.
    pub problem_type: Option<String>,
    /// The problem `status`, for problem bodies.
    pub problem_status: Option<u16>,
    /// The `Retry-After` delay in seconds, as the client parsed it.
    pub retry_after_secs: Option<u64>,
    /// How many requests reached the fake for this call, when the driver
    /// counted them (must be exactly 1).
    pub requests_sent: Option<usize>,
    /// A description for failure messages.
    pub note: String,
}

/// Records coverage and failures for one driver.
#[derive(Debug)]
pub struct Recorder {
    driver: String,
    covered: BTreeMap<Operation, BTreeSet<u16>>,
    failures: Vec<String>,
    violations: usize,
    calls: usize,
    local_rejections: usize,
}

struct Summary {
    lines: Vec<String>,
    operations: usize,
    covered: usize,
    expected: usize,
}

impl Recorder {
    fn new(driver: &str) -> Self {
        Self {
            driver: driver.to_owned(),
            covered: BTreeMap::new(),
            failures: Vec::new(),
            violations: 0,
            calls: 0,
            local_rejections: 0,
        }
    }

    /// Checks one call against the expected status, Prism's verdict and
    /// the fake's log; records coverage when all agree.
    pub fn record(
        &mut self,
        fake: &FakeServer,
        op: Operation,
        expected: u16,
        what: &str,
        seen: &Observed,
    ) {
        self.calls += 1;
        let label = format!("{op} {what}");
        let mut ok = true;
        let flagged = seen
            .headers
            .as_ref()
            .is_some_and(|h| h.contains_key("sl-violations"))
            || seen
                .problem_type
                .as_deref()
                .is_some_and(|t| t.starts_with("https://stoplight.io/prism/"));
        if flagged {
            self.violations += 1;
        }
        if let Some(v) = seen.headers.as_ref().and_then(|h| h.get("sl-violations")) {
            ok = false;
            self.failures.push(format!(
                "{label}: Prism reports violations: {}",
                String::from_utf8_lossy(v.as_bytes())
            ));
        }
        if let Some(t) = seen
            .problem_type
            .as_deref()
            .filter(|t| t.starts_with("https://stoplight.io/prism/"))
        {
            ok = false;
            self.failures.push(format!(
                "{label}: answered by Prism itself ({t}): {}",
                seen.note
            ));
        }
        if seen.status != Some(expected) {
            ok = false;
            self.failures.push(format!(
                "{label}: expected {expected}, got {:?} ({})",
                seen.status, seen.note
            ));
        }
        if expected >= 400 {
            let fakes_problem = seen.problem_status == Some(expected)
                && seen
                    .problem_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with(ARIZE_ERRORS));
            if !fakes_problem {
                ok = false;
                self.failures.push(format!(
                    "{label}: expected the fake's problem with status {expected}, got type {:?}, status {:?}",
                    seen.problem_type, seen.problem_status
                ));
            }
        }
        if expected == 429 && seen.retry_after_secs != Some(INJECTED_RETRY_AFTER) {
            ok = false;
            self.failures.push(format!(
                "{label}: 429 with Retry-After {:?} as parsed by the client, expected {INJECTED_RETRY_AFTER} s",
                seen.retry_after_secs
            ));
        }
        if let Some(sent) = seen.requests_sent.filter(|&n| n != 1) {
            ok = false;
            self.failures.push(format!(
                "{label}: the call sent {sent} request(s), expected exactly 1"
            ));
        }
        let last = fake.requests().pop();
        let from_fake = last.as_ref().is_some_and(|r| {
            r.operation == Some(op)
                && r.status == Some(expected)
                && r.delivery == Delivery::Answered
        });
        if !from_fake {
            ok = false;
            self.failures.push(format!(
                "{label}: the fake's log does not show it answering {expected} (last record: {:?})",
                last.map(|r| (r.operation, r.status, r.delivery))
            ));
        }
        if ok {
            self.covered.entry(op).or_default().insert(expected);
        }
    }

    /// Observes a generated-client result, records it, and returns the
    /// success value if any.
    pub async fn check<T>(
        &mut self,
        fake: &FakeServer,
        op: Operation,
        expected: u16,
        what: &str,
        result: Result<ResponseValue<T>, arize_api::Error<Problem>>,
    ) -> Option<T> {
        let (seen, value) = observe(result).await;
        self.record(fake, op, expected, what, &seen);
        value
    }

    fn summary(&self) -> Summary {
        let mut lines = Vec::new();
        let mut covered = 0;
        let mut expected = 0;
        let mut operations = 0;
        // The drivers exercise the five role-binding operations; the fake's
        // directory reads (`Operation::ALL` has all 13) join the summary
        // when the drivers cover them (issue 11, deliverable 5).
        for op in Operation::ALL.into_iter().filter(|op| op.is_role_binding()) {
            let wanted: BTreeSet<u16> = std::iter::once(op.success_status())
                .chain(op.documented_errors().iter().copied())
                .collect();
            let got = self.covered.get(&op).cloned().unwrap_or_default();
            let hit: Vec<String> = wanted
                .iter()
                .map(|s| {
                    if got.contains(s) {
                        s.to_string()
                    } else {
                        format!("!{s}")
                    }
                })
                .collect();
            covered += wanted.intersection(&got).count();
            expected += wanted.len();
            if !got.is_empty() {
                operations += 1;
            }
            lines.push(format!("{:<20} {}", op.operation_id(), hit.join(" ")));
        }
        let _ = &self.driver;
        Summary {
            lines,
            operations,
            covered,
            expected,
        }
    }
}

async fn observe<T>(
    result: Result<ResponseValue<T>, arize_api::Error<Problem>>,
) -> (Observed, Option<T>) {
    match result {
        Ok(value) => {
            let seen = Observed {
                status: Some(value.status().as_u16()),
                headers: Some(value.headers().clone()),
                note: "success".into(),
                ..Observed::default()
            };
            (seen, Some(value.into_inner()))
        }
        Err(arize_api::Error::ErrorResponse(value)) => {
            let status = value.status().as_u16();
            let headers = value.headers().clone();
            let problem = value.into_inner();
            (
                Observed {
                    status: Some(status),
                    retry_after_secs: retry_after_header(&headers),
                    headers: Some(headers),
                    problem_type: problem.type_.clone(),
                    problem_status: u16::try_from(problem.status).ok(),
                    note: format!("{}: {}", problem.title, problem.detail.unwrap_or_default()),
                    requests_sent: None,
                },
                None,
            )
        }
        Err(arize_api::Error::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.text().await.unwrap_or_default();
            let json = serde_json::from_str::<serde_json::Value>(&body).ok();
            let field = |name: &str| json.as_ref().and_then(|v| v.get(name));
            (
                Observed {
                    status: Some(status),
                    retry_after_secs: retry_after_header(&headers),
                    headers: Some(headers),
                    problem_type: field("type").and_then(|t| t.as_str()).map(str::to_owned),
                    problem_status: field("status")
                        .and_then(serde_json::Value::as_u64)
                        .and_then(|s| u16::try_from(s).ok()),
                    note: format!("unexpected response: {body}"),
                    requests_sent: None,
                },
                None,
            )
        }
        Err(other) => {
            let body = match &other {
                arize_api::Error::InvalidResponsePayload(bytes, _) => {
                    format!(" (body: {})", String::from_utf8_lossy(bytes))
                }
                _ => String::new(),
            };
            (
                Observed {
                    note: format!("client error: {other}{body}"),
                    ..Observed::default()
                },
                None,
            )
        }
    }
}

/// An integer `Retry-After` header.
fn retry_after_header(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

// ----- the generated-client driver -----

/// IDs of a type the fake knows but that do not exist in its store.
fn absent(type_name: &str) -> Id {
    Id(absent_id(type_name))
}

/// [`absent`] as a plain string.
fn absent_id(type_name: &str) -> String {
    encode_global_id(type_name, 999_999, "zZzZ")
}

fn create_body(
    user: &str,
    role: &str,
    resource_type: RoleBindingResourceType,
    resource: &str,
) -> CreateRoleBindingRequest {
    CreateRoleBindingRequest {
        resource_id: Id(resource.to_owned()),
        resource_type,
        role_id: Id(role.to_owned()),
        user_id: Id(user.to_owned()),
    }
}

/// Every operation and documented status through the generated client.
///
/// How each status is produced (all requests are valid for the spec, so
/// Prism forwards them; the fake answers):
/// - 400: list — a garbage cursor; create — an empty `user_id` (the spec
///   sets no `minLength`); update — an empty `role_id`; get/delete — by
///   fault injection (`Fault::Status(400)`): a `binding_id` that encodes
///   another type (a User ID) is just an unknown binding, 404, since the
///   service treats IDs as opaque.
/// - 401: a wrong bearer key (a *missing* key is refused by Prism itself).
/// - 403: create on a space that does not exist.
/// - 404: unknown user (list filter, create), unknown binding, a User ID as
///   `binding_id`.
/// - 409: create — a second binding for (user, resource); update — by fault
///   injection (`Fault::Status(409)`), as the fake has no update conflict.
/// - 422: create — a `Space:` ID as a `PROJECT` resource; update — a
///   `Space:` ID as `role_id`. (Unknown fields would be refused by Prism,
///   since the spec says `additionalProperties: false`.)
/// - 429: by fault injection (`Fault::RateLimited`, `Retry-After: 2`).
async fn drive_generated_client(h: &Harness, rec: &mut Recorder) -> anyhow::Result<()> {
    let fake = &h.fake;
    let client = h.client()?;
    let wrong_key = h.client_with_key("not-the-key")?;
    let users = fake.users();
    let roles = fake.roles();
    let spaces = fake.spaces();
    let models = fake.models();
    let (user0, user1) = (&users[0], &users[1]);
    let (role0, role1) = (&roles[0], &roles[1]);
    let space_rt = RoleBindingResourceType::Space;
    let project_rt = RoleBindingResourceType::Project;

    // ---- create ----
    let op = Operation::Create;
    let created = rec
        .check(
            fake,
            op,
            201,
            "space binding",
            client
                .create_role_binding(&create_body(user0, role0, space_rt, &spaces[0]))
                .await,
        )
        .await
        // Go on with the fake's own record if the answer was refused, so
        // that one violation does not hide the rest of the report.
        .or_else(|| fake.bindings().into_iter().next())
        .ok_or_else(|| anyhow!("the first create created nothing; cannot go on"))?;
    rec.check(
        fake,
        op,
        201,
        "model as PROJECT",
        client
            .create_role_binding(&create_body(user0, role0, project_rt, &models[0]))
            .await,
    )
    .await;
    for user in [user1, &users[2]] {
        rec.check(
            fake,
            op,
            201,
            "more bindings",
            client
                .create_role_binding(&create_body(user, role1, space_rt, &spaces[0]))
                .await,
        )
        .await;
    }
    rec.check(
        fake,
        op,
        409,
        "second binding for (user, resource)",
        client
            .create_role_binding(&create_body(user0, role1, space_rt, &spaces[0]))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        403,
        "unknown space",
        client
            .create_role_binding(&create_body(user0, role0, space_rt, &absent("Space")))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "unknown user",
        client
            .create_role_binding(&create_body(&absent("User"), role0, space_rt, &spaces[1]))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        422,
        "Space ID as PROJECT",
        client
            .create_role_binding(&create_body(user1, role0, project_rt, &spaces[1]))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        400,
        "empty user_id",
        client
            .create_role_binding(&create_body("", role0, space_rt, &spaces[1]))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        401,
        "wrong key",
        wrong_key
            .create_role_binding(&create_body(user1, role0, space_rt, &spaces[1]))
            .await,
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.check(
        fake,
        op,
        429,
        "rate limited",
        client
            .create_role_binding(&create_body(user1, role0, space_rt, &spaces[1]))
            .await,
    )
    .await;

    // ---- get ----
    let op = Operation::Get;
    let user_as_binding = Id(user0.clone());
    rec.check(
        fake,
        op,
        200,
        "existing",
        client.get_role_binding(&created.id).await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "unknown binding",
        client.get_role_binding(&absent("RoleBinding")).await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "User ID as binding_id",
        client.get_role_binding(&user_as_binding).await,
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.check(
        fake,
        op,
        400,
        "bad request (injected)",
        client.get_role_binding(&created.id).await,
    )
    .await;
    rec.check(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.get_role_binding(&created.id).await,
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.check(
        fake,
        op,
        429,
        "rate limited",
        client.get_role_binding(&created.id).await,
    )
    .await;

    // ---- update ----
    let op = Operation::Update;
    let to_role1 = UpdateRoleBindingRequest {
        role_id: Id(role1.clone()),
    };
    rec.check(
        fake,
        op,
        200,
        "change role",
        client.update_role_binding(&created.id, &to_role1).await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "unknown binding",
        client
            .update_role_binding(&absent("RoleBinding"), &to_role1)
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "User ID as binding_id",
        client
            .update_role_binding(&user_as_binding, &to_role1)
            .await,
    )
    .await;
    let empty_role = UpdateRoleBindingRequest {
        role_id: Id(String::new()),
    };
    rec.check(
        fake,
        op,
        400,
        "empty role_id",
        client.update_role_binding(&created.id, &empty_role).await,
    )
    .await;
    let space_as_role = UpdateRoleBindingRequest {
        role_id: Id(spaces[0].clone()),
    };
    rec.check(
        fake,
        op,
        422,
        "Space ID as role_id",
        client
            .update_role_binding(&created.id, &space_as_role)
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.update_role_binding(&created.id, &to_role1).await,
    )
    .await;
    h.inject_once(op, Fault::Status(409));
    rec.check(
        fake,
        op,
        409,
        "conflict (injected)",
        client.update_role_binding(&created.id, &to_role1).await,
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.check(
        fake,
        op,
        429,
        "rate limited",
        client.update_role_binding(&created.id, &to_role1).await,
    )
    .await;

    // ---- list ----
    let op = Operation::List;
    let one = NonZeroU64::new(1);
    let mut cursor: Option<String> = None;
    let mut seen = 0usize;
    for _page in 0..10 {
        let page = rec
            .check(
                fake,
                op,
                200,
                "page of 1",
                client
                    .list_role_bindings(cursor.as_deref(), one, space_rt, None)
                    .await,
            )
            .await
            .ok_or_else(|| anyhow!("listing failed"))?;
        seen += page.role_bindings.len();
        cursor = page.pagination.next_cursor;
        if !page.pagination.has_more {
            break;
        }
    }
    if seen != 3 {
        rec.failures.push(format!(
            "list: walked {seen} SPACE bindings page by page, expected 3"
        ));
    }
    rec.check(
        fake,
        op,
        200,
        "PROJECT, default limit, user filter",
        client
            .list_role_bindings(None, None, project_rt, Some(&Id(user0.clone())))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        400,
        "garbage cursor",
        client
            .list_role_bindings(Some("not-a-cursor"), None, space_rt, None)
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "unknown user_id",
        client
            .list_role_bindings(None, None, space_rt, Some(&absent("User")))
            .await,
    )
    .await;
    rec.check(
        fake,
        op,
        401,
        "wrong key",
        wrong_key
            .list_role_bindings(None, None, space_rt, None)
            .await,
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.check(
        fake,
        op,
        429,
        "rate limited",
        client.list_role_bindings(None, None, space_rt, None).await,
    )
    .await;

    // ---- delete ----
    let op = Operation::Delete;
    rec.check(
        fake,
        op,
        204,
        "existing",
        client.delete_role_binding(&created.id).await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "already deleted",
        client.delete_role_binding(&created.id).await,
    )
    .await;
    rec.check(
        fake,
        op,
        404,
        "User ID as binding_id",
        client.delete_role_binding(&user_as_binding).await,
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.check(
        fake,
        op,
        400,
        "bad request (injected)",
        client.delete_role_binding(&created.id).await,
    )
    .await;
    rec.check(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.delete_role_binding(&created.id).await,
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.check(
        fake,
        op,
        429,
        "rate limited",
        client.delete_role_binding(&created.id).await,
    )
    .await;
    Ok(())
}

// ----- the facade driver -----

impl Harness {
    /// The facade through Prism with `key`: one attempt per call (no
    /// retries), so each injected fault is answered once and comes back as
    /// the typed error; no beta warning.
    fn facade_with_key(&self, key: &str) -> anyhow::Result<facade::Client> {
        facade::Client::builder()
            .api_key(key)
            .base_url(&self.prism_url)
            .retry_policy(facade::RetryPolicy::standard().max_attempts(1))
            .beta_warning(facade::BetaWarning::Off)
            .build()
            .context("building the facade client")
    }
}

/// What a facade call produced. Success: the facade does not show the
/// status, so `Ok` stands for the operation's success status (which
/// [`Recorder::record`] then checks against the fake's log). Failure: only
/// [`facade::Error::Api`] carries a status; any other error (decode,
/// transport, validation, ...) is a failed call.
fn observe_facade<T>(
    op: Operation,
    result: Result<T, facade::Error>,
    requests_sent: usize,
) -> (Observed, Option<T>) {
    match result {
        Ok(value) => (
            Observed {
                status: Some(op.success_status()),
                requests_sent: Some(requests_sent),
                note: "facade returned Ok".into(),
                ..Observed::default()
            },
            Some(value),
        ),
        Err(error) => {
            let api = matches!(error, facade::Error::Api { .. });
            let seen = Observed {
                status: error.status().filter(|_| api).map(|s| s.as_u16()),
                headers: None,
                problem_type: error.problem().and_then(|p| p.type_.clone()),
                problem_status: error.problem().map(|p| p.status),
                retry_after_secs: error.retry_after().map(|d| d.as_secs()),
                requests_sent: Some(requests_sent),
                note: if api {
                    format!("facade Error::Api: {error}")
                } else {
                    format!("facade error (not Error::Api): {error:?}")
                },
            };
            (seen, None)
        }
    }
}

impl Recorder {
    /// Runs one facade call, counts the requests it made, records it and
    /// returns the success value if any.
    async fn facade<T>(
        &mut self,
        fake: &FakeServer,
        op: Operation,
        expected: u16,
        what: &str,
        call: impl Future<Output = Result<T, facade::Error>>,
    ) -> Option<T> {
        let before = fake.requests().len();
        let result = call.await;
        let sent = fake.requests().len().saturating_sub(before);
        let (seen, value) = observe_facade(op, result, sent);
        self.record(fake, op, expected, what, &seen);
        value
    }

    /// Runs one facade call that the facade must reject itself: a
    /// [`facade::ValidationError`] accepted by `expected`, and no request.
    async fn rejected_locally<T: std::fmt::Debug>(
        &mut self,
        fake: &FakeServer,
        op: Operation,
        what: &str,
        expected: impl FnOnce(&facade::ValidationError) -> bool,
        call: impl Future<Output = Result<T, facade::Error>>,
    ) {
        let before = fake.requests().len();
        let result = call.await;
        let sent = fake.requests().len().saturating_sub(before);
        self.local_rejections += 1;
        let rejected = matches!(&result, Err(facade::Error::Validation(v)) if expected(v));
        if !rejected || sent != 0 {
            self.failures.push(format!(
                "{op} {what}: expected the facade to reject it before sending, got {result:?} after {sent} request(s)"
            ));
        }
    }

    /// Fails the run with `message` unless `ok`.
    fn expect(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(message());
        }
    }
}

/// Every operation and documented status through the facade
/// (`arize_role_bindings::Client`), one attempt per call.
///
/// Each success is checked for its typed value, each error for
/// `Error::Api` with the status, the fake's problem (same status) and, for
/// 429, `retry_after() == 2 s`. The statuses are produced as for the
/// generated client, except where the facade refuses the input itself —
/// an empty ID, or an ID that decodes to the wrong known type (Space as a
/// PROJECT resource or as a role, User as a binding ID). Those are first
/// shown to be rejected client-side with a `ValidationError` and no
/// request, and the status is then produced by fault injection
/// (`Fault::Status`) on an otherwise valid request; the facade's
/// validation is not bypassed. That covers create 400 and 422, update 400
/// and 422, and get/delete 400. Update 409 and every 429 are injected for
/// both drivers. List 400 (a garbage cursor), 401 (a wrong key), 403 and
/// every 404 and create 409 come from the fake's own rules.
async fn drive_facade(h: &Harness, rec: &mut Recorder) -> anyhow::Result<()> {
    use facade::{
        ListQuery, ProjectId, Resource, ResourceType, RoleBindingId, RoleId, SpaceId, UserId,
        ValidationError,
    };

    let fake = &h.fake;
    let client = h.facade_with_key(API_KEY)?;
    let wrong_key = h.facade_with_key("not-the-key")?;
    let users: Vec<UserId> = fake.users().into_iter().map(UserId::new).collect();
    let roles: Vec<RoleId> = fake.roles().into_iter().map(RoleId::new).collect();
    let spaces: Vec<String> = fake.spaces();
    let models: Vec<String> = fake.models();
    let (user0, user1) = (&users[0], &users[1]);
    let (role0, role1) = (&roles[0], &roles[1]);
    let space0 = Resource::Space(SpaceId::new(spaces[0].clone()));
    let space1 = Resource::Space(SpaceId::new(spaces[1].clone()));
    let model0 = Resource::Project(ProjectId::new(models[0].clone()));
    let is_mismatch = |v: &ValidationError| matches!(v, ValidationError::IdTypeMismatch { .. });
    let is_empty = |v: &ValidationError| matches!(v, ValidationError::EmptyId { .. });

    // ---- create ----
    let op = Operation::Create;
    let created = rec
        .facade(
            fake,
            op,
            201,
            "space binding",
            client.create(user0, role0, &space0),
        )
        .await
        .ok_or_else(|| anyhow!("the first create failed; cannot go on"))?;
    rec.expect(
        created.user_id == *user0 && created.role_id == *role0 && created.resource == space0,
        || format!("create: got {created:?}, expected user0/role0/space0"),
    );
    if let Some(b) = rec
        .facade(
            fake,
            op,
            201,
            "model as PROJECT",
            client.create(user0, role0, &model0),
        )
        .await
    {
        rec.expect(b.resource == model0, || {
            format!("create: model binding came back as {:?}", b.resource)
        });
    }
    for user in [user1, &users[2]] {
        rec.facade(
            fake,
            op,
            201,
            "more bindings",
            client.create(user, role1, &space0),
        )
        .await;
    }
    rec.facade(
        fake,
        op,
        409,
        "second binding for (user, resource)",
        client.create(user0, role1, &space0),
    )
    .await;
    rec.facade(
        fake,
        op,
        403,
        "unknown space",
        client.create(
            user0,
            role0,
            &Resource::Space(SpaceId::new(absent_id("Space"))),
        ),
    )
    .await;
    rec.facade(
        fake,
        op,
        404,
        "unknown user",
        client.create(&UserId::new(absent_id("User")), role0, &space1),
    )
    .await;
    // 422: the generated client sends a Space ID as a PROJECT resource; the
    // facade refuses that itself, so the 422 is injected on a valid create.
    rec.rejected_locally(
        fake,
        op,
        "Space ID as PROJECT",
        is_mismatch,
        client.create(
            user1,
            role0,
            &Resource::Project(ProjectId::new(spaces[1].clone())),
        ),
    )
    .await;
    h.inject_once(op, Fault::Status(422));
    rec.facade(
        fake,
        op,
        422,
        "unprocessable (injected)",
        client.create(user1, role0, &space1),
    )
    .await;
    // 400: the generated client sends an empty user_id; the facade refuses
    // an empty ID itself, so the 400 is injected on a valid create.
    rec.rejected_locally(
        fake,
        op,
        "empty user_id",
        is_empty,
        client.create(&UserId::new(""), role0, &space1),
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.facade(
        fake,
        op,
        400,
        "bad request (injected)",
        client.create(user1, role0, &space1),
    )
    .await;
    rec.facade(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.create(user1, role0, &space1),
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.facade(
        fake,
        op,
        429,
        "rate limited",
        client.create(user1, role0, &space1),
    )
    .await;
    // Injected faults do not apply the operation: user1 has no binding on
    // space1.
    let stray = fake
        .bindings()
        .iter()
        .filter(|b| b.resource_id.0 == spaces[1])
        .count();
    rec.expect(stray == 0, || {
        format!("create: {stray} binding(s) on space1 after only failed creates")
    });

    // ---- get ----
    let op = Operation::Get;
    let user_as_binding = RoleBindingId::new(user0.as_str());
    if let Some(b) = rec
        .facade(fake, op, 200, "existing", client.get(&created.id))
        .await
    {
        rec.expect(b == created, || {
            format!("get: got {b:?}, expected {created:?}")
        });
    }
    rec.facade(
        fake,
        op,
        404,
        "unknown binding",
        client.get(&RoleBindingId::new(absent_id("RoleBinding"))),
    )
    .await;
    // 400: a User ID as binding_id is refused by the facade; injected.
    rec.rejected_locally(
        fake,
        op,
        "User ID as binding_id",
        is_mismatch,
        client.get(&user_as_binding),
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.facade(
        fake,
        op,
        400,
        "bad request (injected)",
        client.get(&created.id),
    )
    .await;
    rec.facade(fake, op, 401, "wrong key", wrong_key.get(&created.id))
        .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.facade(fake, op, 429, "rate limited", client.get(&created.id))
        .await;

    // ---- update ----
    let op = Operation::Update;
    if let Some(b) = rec
        .facade(
            fake,
            op,
            200,
            "change role",
            client.update(&created.id, role1),
        )
        .await
    {
        rec.expect(
            b.id == created.id && b.role_id == *role1 && b.user_id == *user0,
            || format!("update: got {b:?}, expected {} with role1", created.id),
        );
    }
    rec.facade(
        fake,
        op,
        404,
        "unknown binding",
        client.update(&RoleBindingId::new(absent_id("RoleBinding")), role1),
    )
    .await;
    // 400: a User ID as binding_id is refused by the facade; injected.
    rec.rejected_locally(
        fake,
        op,
        "User ID as binding_id",
        is_mismatch,
        client.update(&user_as_binding, role1),
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.facade(
        fake,
        op,
        400,
        "bad request (injected)",
        client.update(&created.id, role1),
    )
    .await;
    // 422: a Space ID as role_id is refused by the facade; injected.
    rec.rejected_locally(
        fake,
        op,
        "Space ID as role_id",
        is_mismatch,
        client.update(&created.id, &RoleId::new(spaces[0].clone())),
    )
    .await;
    h.inject_once(op, Fault::Status(422));
    rec.facade(
        fake,
        op,
        422,
        "unprocessable (injected)",
        client.update(&created.id, role1),
    )
    .await;
    rec.facade(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.update(&created.id, role1),
    )
    .await;
    h.inject_once(op, Fault::Status(409));
    rec.facade(
        fake,
        op,
        409,
        "conflict (injected)",
        client.update(&created.id, role1),
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.facade(
        fake,
        op,
        429,
        "rate limited",
        client.update(&created.id, role1),
    )
    .await;

    // ---- list ----
    let op = Operation::List;
    // The facade's page stream, one binding per page: each page is one
    // request, and the stream ends after the page with has_more false.
    let mut pages = client.pages(ListQuery::new(ResourceType::Space).limit(1));
    let mut walked: Vec<String> = Vec::new();
    for _page in 0..10 {
        let page = rec
            .facade(fake, op, 200, "page of 1 (pages stream)", pages.try_next())
            .await
            .flatten()
            .ok_or_else(|| anyhow!("the page stream failed or ended early"))?;
        walked.extend(page.bindings().iter().map(|b| b.id.as_str().to_owned()));
        if !page.has_more() {
            break;
        }
    }
    let before = fake.requests().len();
    let end = pages.try_next().await;
    let after = fake.requests().len();
    rec.expect(matches!(end, Ok(None)) && after == before, || {
        format!(
            "list: the page stream did not end cleanly: {end:?}, {} more request(s)",
            after - before
        )
    });
    let expected_space: Vec<String> = fake
        .bindings()
        .into_iter()
        .filter(|b| b.resource_type == RoleBindingResourceType::Space)
        .map(|b| b.id.0)
        .collect();
    rec.expect(walked == expected_space, || {
        format!("list: walked SPACE bindings {walked:?}, expected {expected_space:?}")
    });
    if let Some(page) = rec
        .facade(
            fake,
            op,
            200,
            "PROJECT, default limit, user filter",
            client.list_page(&ListQuery::new(ResourceType::Project).user(user0.clone())),
        )
        .await
    {
        let got: Vec<&Resource> = page.bindings().iter().map(|b| &b.resource).collect();
        rec.expect(got == [&model0] && !page.has_more(), || {
            format!("list: user0's PROJECT bindings are {got:?}, expected only the model")
        });
    }
    rec.facade(
        fake,
        op,
        400,
        "garbage cursor",
        client.list_page(&ListQuery::new(ResourceType::Space).cursor("not-a-cursor")),
    )
    .await;
    rec.facade(
        fake,
        op,
        404,
        "unknown user_id",
        client.list_page(&ListQuery::new(ResourceType::Space).user(UserId::new(absent_id("User")))),
    )
    .await;
    rec.facade(
        fake,
        op,
        401,
        "wrong key",
        wrong_key.list_page(&ListQuery::new(ResourceType::Space)),
    )
    .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.facade(
        fake,
        op,
        429,
        "rate limited",
        client.list_page(&ListQuery::new(ResourceType::Space)),
    )
    .await;

    // ---- delete ----
    let op = Operation::Delete;
    rec.facade(fake, op, 204, "existing", client.delete(&created.id))
        .await;
    rec.expect(fake.binding(created.id.as_str()).is_none(), || {
        "delete: the binding is still in the fake's store".to_owned()
    });
    // One attempt only, so the facade's "404 after an attempt that may have
    // deleted it counts as done" rule does not apply: a plain 404.
    rec.facade(fake, op, 404, "already deleted", client.delete(&created.id))
        .await;
    // 400: a User ID as binding_id is refused by the facade; injected.
    rec.rejected_locally(
        fake,
        op,
        "User ID as binding_id",
        is_mismatch,
        client.delete(&user_as_binding),
    )
    .await;
    h.inject_once(op, Fault::Status(400));
    rec.facade(
        fake,
        op,
        400,
        "bad request (injected)",
        client.delete(&created.id),
    )
    .await;
    rec.facade(fake, op, 401, "wrong key", wrong_key.delete(&created.id))
        .await;
    h.inject_once(
        op,
        Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
    );
    rec.facade(fake, op, 429, "rate limited", client.delete(&created.id))
        .await;
    Ok(())
}
