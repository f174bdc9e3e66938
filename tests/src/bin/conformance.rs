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
//! driver must have covered every (operation, status) pair the spec
//! documents — read from `openapi/openapi.json` itself (`paths`, each
//! operation's `responses`), not from a list in this file.
//!
//! The drivers are table-driven: each has a [`Table`] with a default call
//! per operation and one row per "drive operation X to status S" (a call
//! and [`How`]: the fake's own rules, a wrong key, or an injected fault);
//! 401 and 429 come from generic rows on the default call. Before Prism
//! starts, every table is planned against the spec: a documented status
//! without a row, an operation without a default call, or a row for
//! something the spec does not document fails the run, naming the
//! operation and status. Operations a driver's client does not offer yet
//! are listed as `pending` in its table and printed as such.
//!
//! To add a driver, write an `async fn(&Harness, &SpecOps, &mut Recorder)
//! -> anyhow::Result<()>` and add it to [`DRIVERS`] (and its table to
//! `plan_all`).
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
use arize_tests::reads::{READS, Read};
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
type Driver =
    for<'a> fn(&'a Harness, &'a SpecOps, &'a mut Recorder) -> BoxFuture<'a, anyhow::Result<()>>;

/// The drivers, run in order, each on a fresh fake server.
const DRIVERS: &[(&str, Driver)] = &[
    ("generated arize-api client", |h, s, r| {
        Box::pin(drive_generated_client(h, s, r))
    }),
    ("arize-role-bindings facade", |h, s, r| {
        Box::pin(drive_facade(h, s, r))
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
    let spec = SpecOps::load(&args.spec)?;
    println!(
        "spec {}: {} operations, {} documented (operation, status) pairs",
        args.spec.display(),
        spec.ops.len(),
        spec.pair_count()
    );
    // Every table is planned before Prism starts: a gap fails at once.
    let plan_errors = plan_all(&spec);
    if !plan_errors.is_empty() {
        for error in &plan_errors {
            println!("   TABLE: {error}");
        }
        println!(
            "conformance: {} gap(s) in the drive tables (tests/src/bin/conformance.rs), FAIL",
            plan_errors.len()
        );
        return Ok(false);
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
        let driven = driver(&harness, &spec, &mut recorder).await;
        // Let Prism flush its log lines for the last calls.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let log = prism.stop().await;
        let log_violations: Vec<&String> = log.iter().filter(|l| is_violation_line(l)).collect();

        println!("== driver: {name} (via Prism at {})", harness.prism_url);
        let summary = recorder.summary(&spec);
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
            "   operations exercised: {}/{}; statuses exercised: {}/{} ({} successes, {} documented errors); calls: {}",
            summary.operations,
            spec.ops.len(),
            summary.covered,
            summary.expected,
            summary.successes,
            summary.expected - summary.successes,
            recorder.calls
        );
        if !recorder.pending.is_empty() {
            let pending: Vec<&str> = recorder
                .pending
                .iter()
                .map(|op| op.operation_id())
                .collect();
            println!(
                "   pending (not offered by this client yet, not run): {} operation(s): {}",
                pending.len(),
                pending.join(", ")
            );
        }
        println!("   violations: {driver_violations}");
        let ok = driven.is_ok()
            && recorder.failures.is_empty()
            && log_violations.is_empty()
            && summary.covered == summary.required;
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
    /// Operations the driver's client does not offer yet.
    pending: Vec<Operation>,
}

struct Summary {
    lines: Vec<String>,
    operations: usize,
    covered: usize,
    /// Every documented pair.
    expected: usize,
    /// The documented pairs of the operations not pending.
    required: usize,
    /// How many of `expected` are successes (2xx).
    successes: usize,
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
            pending: Vec::new(),
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

    fn summary(&self, spec: &SpecOps) -> Summary {
        let mut lines = Vec::new();
        let (mut covered, mut expected, mut required, mut successes, mut operations) =
            (0, 0, 0, 0, 0);
        for spec_op in &spec.ops {
            let op = spec_op.op;
            let wanted = &spec_op.statuses;
            let got = self.covered.get(&op).cloned().unwrap_or_default();
            let pending = self.pending.contains(&op);
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
            successes += wanted.iter().filter(|s| (200..300).contains(*s)).count();
            if !pending {
                required += wanted.len();
            }
            if !got.is_empty() {
                operations += 1;
            }
            let note = if pending { "  (pending)" } else { "" };
            lines.push(format!("{:<20} {}{note}", op.operation_id(), hit.join(" ")));
        }
        let _ = &self.driver;
        Summary {
            lines,
            operations,
            covered,
            expected,
            required,
            successes,
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

// ----- the spec and the drive tables -----

/// The timeout of one table row (one call, or one page walk): a call that
/// hangs fails the row instead of the run hanging.
const ROW_TIMEOUT: Duration = Duration::from_secs(30);

/// One operation of the spec and its documented statuses.
#[derive(Debug, Clone)]
pub struct SpecOp {
    /// The fake's operation with this `operationId`.
    pub op: Operation,
    /// Every status under `responses` (success and errors).
    pub statuses: BTreeSet<u16>,
}

/// What every driver must cover: the operations of `openapi/openapi.json`
/// and the statuses each documents, read from the spec itself.
#[derive(Debug, Clone)]
pub struct SpecOps {
    /// In the spec's order.
    pub ops: Vec<SpecOp>,
}

impl SpecOps {
    /// Reads `paths.*.*.operationId` and the status keys of `responses`.
    ///
    /// # Errors
    ///
    /// When the file is not JSON, a status is not a number, or an
    /// `operationId` is not one the fake server answers.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let mut ops = Vec::new();
        let paths = doc
            .get("paths")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| anyhow!("{}: no `paths` object", path.display()))?;
        for (template, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Some(id) = operation.get("operationId").and_then(|v| v.as_str()) else {
                    continue;
                };
                let op: Operation = id.parse().map_err(|e| {
                    anyhow!("{method} {template}: the spec's operation {id} is not one the fake server answers ({e})")
                })?;
                let mut statuses = BTreeSet::new();
                for key in operation
                    .get("responses")
                    .and_then(serde_json::Value::as_object)
                    .into_iter()
                    .flat_map(|r| r.keys())
                {
                    let status = key
                        .parse::<u16>()
                        .map_err(|_| anyhow!("{id}: response key {key:?} is not a status code"))?;
                    statuses.insert(status);
                }
                ops.push(SpecOp { op, statuses });
            }
        }
        if ops.is_empty() {
            bail!("{}: no operations", path.display());
        }
        Ok(Self { ops })
    }

    /// The documented statuses of `op`, if the spec has it.
    pub fn statuses(&self, op: Operation) -> Option<&BTreeSet<u16>> {
        self.ops.iter().find(|s| s.op == op).map(|s| &s.statuses)
    }

    /// How many (operation, status) pairs the spec documents.
    pub fn pair_count(&self) -> usize {
        self.ops.iter().map(|s| s.statuses.len()).sum()
    }
}

/// How a row drives its operation to its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The request itself gets the status from the fake's own rules (the
    /// call encodes the input: an unknown ID, a garbage cursor, ...).
    Plain,
    /// The operation's call with a wrong bearer key: the fake's 401. (A
    /// missing key would be refused by Prism itself.)
    WrongKey,
    /// `Fault::Status(s)` injected for the next call of the operation: for
    /// statuses the fake has no rule for (403 on a directory read, 409 on
    /// update) or that the facade refuses to send (its own validation).
    /// Prism's `Prefer: code=` / `__code` are not used: Prism is a
    /// validating proxy here, and every answer must come from the fake.
    Inject(u16),
    /// `Fault::RateLimited` (`Retry-After: 2`) injected for the next call.
    RateLimited,
}

/// One row: "drive `op` to `status` like this". `call: None` means the
/// operation's default call (see [`Table::calls`]).
#[derive(Debug, Clone, Copy)]
pub struct Row<C> {
    op: Operation,
    status: u16,
    what: &'static str,
    how: How,
    call: Option<C>,
}

/// A driver's table. For every operation of the spec it needs a default
/// call (a valid request, used for the rows without their own call and
/// for the generic 401 and 429), and a row for every documented status
/// other than 401 and 429, which come from the generic rows ([`How::WrongKey`],
/// [`How::RateLimited`] on the default call) unless a row covers them.
/// Operations the driver's client does not offer yet are `pending`: listed
/// in the output, not run, not failed.
#[derive(Debug)]
pub struct Table<C> {
    calls: Vec<(Operation, C)>,
    rows: Vec<Row<C>>,
    pending: Vec<Operation>,
}

/// One planned call.
#[derive(Debug, Clone)]
pub struct Step<C> {
    op: Operation,
    status: u16,
    what: String,
    how: How,
    call: C,
}

impl<C: Copy> Table<C> {
    /// The steps for `spec`, in the order of [`Table::calls`] (each
    /// operation's rows in table order, then its generic rows), or every
    /// gap and stale row, each naming the operation and status.
    ///
    /// # Errors
    ///
    /// A documented (operation, status) without a row, an operation
    /// without a default call, a row or call for something the spec does
    /// not document.
    pub fn plan(&self, spec: &SpecOps) -> Result<Vec<Step<C>>, Vec<String>> {
        let mut errors = Vec::new();
        for row in &self.rows {
            match spec.statuses(row.op) {
                None => errors.push(format!(
                    "row `{} -> {}` ({}): the spec has no operation {}",
                    row.op, row.status, row.what, row.op
                )),
                Some(statuses) if !statuses.contains(&row.status) => errors.push(format!(
                    "row `{} -> {}` ({}): the spec does not document {} for {}",
                    row.op, row.status, row.what, row.status, row.op
                )),
                Some(_) => {}
            }
            if row.call.is_none() && !self.calls.iter().any(|(op, _)| *op == row.op) {
                errors.push(format!(
                    "row `{} -> {}` ({}) uses the default call of {}, and the table has none",
                    row.op, row.status, row.what, row.op
                ));
            }
        }
        for (op, _) in &self.calls {
            if spec.statuses(*op).is_none() {
                errors.push(format!(
                    "default call for {op}: the spec has no operation {op}"
                ));
            }
            if self.pending.contains(op) {
                errors.push(format!("{op} is both pending and has a default call"));
            }
        }
        for spec_op in &spec.ops {
            let op = spec_op.op;
            if self.pending.contains(&op) {
                continue;
            }
            let has_call = self.calls.iter().any(|(o, _)| *o == op);
            if !has_call {
                let statuses: Vec<String> = spec_op.statuses.iter().map(u16::to_string).collect();
                errors.push(format!(
                    "operation {op} (documented statuses {}) has no default call in the table: add one, with a row for each status",
                    statuses.join(", ")
                ));
                continue;
            }
            for status in &spec_op.statuses {
                let covered = self.rows.iter().any(|r| r.op == op && r.status == *status);
                if !covered && *status != 401 && *status != 429 {
                    errors.push(format!(
                        "no row drives {op} to {status} (documented in the spec): add one to the table"
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut steps = Vec::new();
        for (op, default_call) in &self.calls {
            let op = *op;
            let Some(statuses) = spec.statuses(op) else {
                continue;
            };
            for row in self.rows.iter().filter(|r| r.op == op) {
                steps.push(Step {
                    op,
                    status: row.status,
                    what: row.what.to_owned(),
                    how: row.how,
                    call: row.call.unwrap_or(*default_call),
                });
            }
            for (status, how, what) in [
                (401, How::WrongKey, "wrong key (generic row)"),
                (429, How::RateLimited, "rate limited (generic row)"),
            ] {
                let covered = self.rows.iter().any(|r| r.op == op && r.status == status);
                if statuses.contains(&status) && !covered {
                    steps.push(Step {
                        op,
                        status,
                        what: what.to_owned(),
                        how,
                        call: *default_call,
                    });
                }
            }
        }
        Ok(steps)
    }
}

impl Harness {
    /// Arranges the fake for a step (fault injection).
    fn prepare(&self, op: Operation, how: How) {
        match how {
            How::Plain | How::WrongKey => {}
            How::Inject(status) => self.inject_once(op, Fault::Status(status)),
            How::RateLimited => self.inject_once(
                op,
                Fault::RateLimited(RetryAfter::Seconds(INJECTED_RETRY_AFTER)),
            ),
        }
    }
}

/// Runs `call` with [`ROW_TIMEOUT`]; a timeout is an observation with no
/// status (the row then fails).
async fn bounded(call: impl Future<Output = Observed>) -> Observed {
    tokio::time::timeout(ROW_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Observed {
            note: format!("no answer within {}s", ROW_TIMEOUT.as_secs()),
            ..Observed::default()
        })
}

/// Plans every driver's table against `spec` without running anything.
fn plan_all(spec: &SpecOps) -> Vec<String> {
    let mut errors = Vec::new();
    if let Err(e) = generated_table().plan(spec) {
        errors.extend(
            e.into_iter()
                .map(|m| format!("generated arize-api client: {m}")),
        );
    }
    if let Err(e) = facade_table().plan(spec) {
        errors.extend(
            e.into_iter()
                .map(|m| format!("arize-role-bindings facade: {m}")),
        );
    }
    errors
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

/// What the generated-client rows work with: the fake's seeded IDs and
/// the binding the first create made.
#[derive(Debug)]
pub struct Fx<'f> {
    fake: &'f FakeServer,
    users: Vec<String>,
    roles: Vec<String>,
    spaces: Vec<String>,
    models: Vec<String>,
    /// The operation of the running step (for the reads' generic calls).
    op: Mutex<Operation>,
    created: Mutex<Option<Id>>,
    failures: Mutex<Vec<String>>,
}

impl<'f> Fx<'f> {
    fn new(fake: &'f FakeServer) -> Self {
        Self {
            fake,
            users: fake.users(),
            roles: fake.roles(),
            spaces: fake.spaces(),
            models: fake.models(),
            op: Mutex::new(Operation::List),
            created: Mutex::new(None),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The read of the running step.
    fn read(&self) -> Option<&'static Read> {
        self.op.lock().ok().and_then(|op| Read::of(*op))
    }

    /// The binding of the first create (or, if its answer was refused,
    /// the fake's first binding, so one violation does not hide the rest).
    fn created(&self) -> Id {
        self.created
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .or_else(|| self.fake.bindings().into_iter().next().map(|b| b.id))
            .unwrap_or_else(|| absent("RoleBinding"))
    }

    /// Records a failed value check.
    fn fail(&self, message: String) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.push(message);
        }
    }

    fn take_failures(&self) -> Vec<String> {
        self.failures
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }
}

/// A generated-client call: the request of one row.
pub type GenCall = for<'a> fn(&'a Client, &'a Fx<'a>) -> BoxFuture<'a, Observed>;

/// Observes a generated-client result (the value dropped).
async fn obs<T>(result: Result<ResponseValue<T>, arize_api::Error<Problem>>) -> Observed {
    observe(result).await.0
}

/// Observes a result and checks its value with `check` (an error message
/// on a mismatch).
async fn obs_check<T>(
    fx: &Fx<'_>,
    result: Result<ResponseValue<T>, arize_api::Error<Problem>>,
    check: impl FnOnce(&T) -> Option<String>,
) -> Observed {
    let (seen, value) = observe(result).await;
    if let Some(message) = value.as_ref().and_then(check) {
        fx.fail(message);
    }
    seen
}

fn g(op: Operation, status: u16, what: &'static str, how: How, call: GenCall) -> Row<GenCall> {
    Row {
        op,
        status,
        what,
        how,
        call: Some(call),
    }
}

fn g_default(op: Operation, status: u16, what: &'static str, how: How) -> Row<GenCall> {
    Row {
        op,
        status,
        what,
        how,
        call: None,
    }
}

/// `calls` and the default call `read` for every directory read of
/// [`READS`].
fn with_reads<C: Copy>(read: C, mut calls: Vec<(Operation, C)>) -> Vec<(Operation, C)> {
    calls.extend(READS.iter().map(|r| (r.op, read)));
    calls
}

/// The generic rows of every directory read of [`READS`], for the
/// statuses its fake operation documents: 200 by the default call; a get's
/// 404 by `absent` (an ID of its type the fake does not hold) and its 400
/// injected (the service treats IDs as opaque, so no ID is malformed); a
/// list's 400 as `list_400` says; 403 injected (the fake has no
/// permissions model). Any other status of a read needs its own row.
fn read_rows<C: Copy>(list_400: (&'static str, How, Option<C>), absent: C) -> Vec<Row<C>> {
    let mut rows = Vec::new();
    for read in READS {
        let op = read.op;
        let documented = |status| op.documented_errors().contains(&status);
        let row = |status, what, how, call| Row {
            op,
            status,
            what,
            how,
            call,
        };
        rows.push(row(200, "default call", How::Plain, None));
        if read.is_list() {
            if documented(400) {
                let (what, how, call) = list_400;
                rows.push(row(400, what, how, call));
            }
        } else {
            if documented(404) {
                rows.push(row(404, "unknown ID", How::Plain, Some(absent)));
            }
            if documented(400) {
                rows.push(row(400, "bad request (injected)", How::Inject(400), None));
            }
        }
        if documented(403) {
            rows.push(row(403, "forbidden (injected)", How::Inject(403), None));
        }
    }
    rows
}

/// The argument of a read's default call (a get reads the fake's first
/// record of its kind) and the check of its answer: a get returns the
/// record asked for.
fn read_target(read: &Read, fake: &FakeServer) -> Option<String> {
    if read.is_list() {
        None
    } else {
        (read.records)(fake).into_iter().next()
    }
}

fn check_read(read: &Read, asked: Option<&String>, got: &[String]) -> Option<String> {
    match asked {
        Some(id) if got != std::slice::from_ref(id) => {
            Some(format!("{}: got {got:?}, asked for {id}", read.op))
        }
        _ => None,
    }
}

/// Not a read: a table error (the calls are only given to reads).
fn not_a_read() -> Observed {
    Observed {
        note: "a read's call was run for an operation that is not in READS".into(),
        ..Observed::default()
    }
}

/// A read's default call through the generated client.
fn g_read<'a>(c: &'a Client, fx: &'a Fx<'a>) -> BoxFuture<'a, Observed> {
    Box::pin(async move {
        let Some(read) = fx.read() else {
            return not_a_read();
        };
        let target = read_target(read, fx.fake);
        let result = (read.generated)(c, target.as_deref()).await;
        obs_check(fx, result, |got| check_read(read, target.as_ref(), got)).await
    })
}

/// A get of an ID the fake does not hold (404).
fn g_read_absent<'a>(c: &'a Client, fx: &'a Fx<'a>) -> BoxFuture<'a, Observed> {
    Box::pin(async move {
        let Some(read) = fx.read() else {
            return not_a_read();
        };
        let id = absent_id(read.type_name);
        obs((read.generated)(c, Some(&id)).await).await
    })
}

/// A list from a garbage cursor (400).
fn g_read_garbage_cursor<'a>(c: &'a Client, fx: &'a Fx<'a>) -> BoxFuture<'a, Observed> {
    Box::pin(async move {
        let Some(read) = fx.read() else {
            return not_a_read();
        };
        obs((read.generated)(c, Some("not-a-cursor")).await).await
    })
}

/// How the generated client drives every operation and documented status.
///
/// All requests are valid for the spec, so Prism forwards them and the
/// fake answers:
/// - 400: lists — a garbage cursor; create — an empty `user_id` (the spec
///   sets no `minLength`); update — an empty `role_id`; the gets and
///   delete — by fault injection: a path ID that encodes another type is
///   just an unknown ID, 404, since the service treats IDs as opaque.
/// - 401 and 429: the generic rows (a wrong key; an injected rate limit).
/// - 403: create on a space that does not exist; on the directory reads by
///   fault injection (the fake has no permissions model).
/// - 404: unknown user/role/space/project/binding, a User ID as
///   `binding_id`, an unknown `space_id` filter on `list_projects`.
/// - 409: create — a second binding for (user, resource); update — by
///   fault injection, as the fake has no update conflict.
/// - 422: create — a `Space:` ID as a `PROJECT` resource; update — a
///   `Space:` ID as `role_id`. (Unknown fields would be refused by Prism,
///   since the spec says `additionalProperties: false`.)
#[allow(clippy::too_many_lines)]
fn generated_table() -> Table<GenCall> {
    use Operation::{
        Create, Delete, Get, List, ListProjects, ListRoles, ListSpaces, ListUsers, Update,
    };
    Table {
        calls: with_reads::<GenCall>(g_read, vec![
            (Create, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[1],
                        &fx.roles[0],
                        RoleBindingResourceType::Space,
                        &fx.spaces[1],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            (Get, |c, fx| {
                Box::pin(async move { obs(c.get_role_binding(&fx.created()).await).await })
            }),
            (Update, |c, fx| {
                Box::pin(async move {
                    let body = UpdateRoleBindingRequest {
                        role_id: Id(fx.roles[1].clone()),
                    };
                    obs(c.update_role_binding(&fx.created(), &body).await).await
                })
            }),
            (List, |c, _| {
                Box::pin(async move {
                    obs(c
                        .list_role_bindings(None, None, RoleBindingResourceType::Space, None)
                        .await)
                    .await
                })
            }),
            (Delete, |c, fx| {
                Box::pin(async move { obs(c.delete_role_binding(&fx.created()).await).await })
            }),
        ]),
        rows: vec![
            // ---- create ----
            g(Create, 201, "space binding", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[0],
                        &fx.roles[0],
                        RoleBindingResourceType::Space,
                        &fx.spaces[0],
                    );
                    let (seen, value) = observe(c.create_role_binding(&body).await).await;
                    if let (Some(b), Ok(mut created)) = (value, fx.created.lock()) {
                        *created = Some(b.id);
                    }
                    seen
                })
            }),
            g(Create, 201, "model as PROJECT", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[0],
                        &fx.roles[0],
                        RoleBindingResourceType::Project,
                        &fx.models[0],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(Create, 201, "more bindings (user1)", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[1],
                        &fx.roles[1],
                        RoleBindingResourceType::Space,
                        &fx.spaces[0],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(Create, 201, "more bindings (user2)", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[2],
                        &fx.roles[1],
                        RoleBindingResourceType::Space,
                        &fx.spaces[0],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(
                Create,
                409,
                "second binding for (user, resource)",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let body = create_body(
                            &fx.users[0],
                            &fx.roles[1],
                            RoleBindingResourceType::Space,
                            &fx.spaces[0],
                        );
                        obs(c.create_role_binding(&body).await).await
                    })
                },
            ),
            g(Create, 403, "unknown space", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[0],
                        &fx.roles[0],
                        RoleBindingResourceType::Space,
                        &absent_id("Space"),
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(Create, 404, "unknown user", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &absent_id("User"),
                        &fx.roles[0],
                        RoleBindingResourceType::Space,
                        &fx.spaces[1],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(Create, 422, "Space ID as PROJECT", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        &fx.users[1],
                        &fx.roles[0],
                        RoleBindingResourceType::Project,
                        &fx.spaces[1],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            g(Create, 400, "empty user_id", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = create_body(
                        "",
                        &fx.roles[0],
                        RoleBindingResourceType::Space,
                        &fx.spaces[1],
                    );
                    obs(c.create_role_binding(&body).await).await
                })
            }),
            // ---- get ----
            g_default(Get, 200, "existing", How::Plain),
            g(Get, 404, "unknown binding", How::Plain, |c, _| {
                Box::pin(async move { obs(c.get_role_binding(&absent("RoleBinding")).await).await })
            }),
            g(Get, 404, "User ID as binding_id", How::Plain, |c, fx| {
                Box::pin(
                    async move { obs(c.get_role_binding(&Id(fx.users[0].clone())).await).await },
                )
            }),
            g_default(Get, 400, "bad request (injected)", How::Inject(400)),
            // ---- update ----
            g_default(Update, 200, "change role", How::Plain),
            g(Update, 404, "unknown binding", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = UpdateRoleBindingRequest {
                        role_id: Id(fx.roles[1].clone()),
                    };
                    obs(c.update_role_binding(&absent("RoleBinding"), &body).await).await
                })
            }),
            g(Update, 404, "User ID as binding_id", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = UpdateRoleBindingRequest {
                        role_id: Id(fx.roles[1].clone()),
                    };
                    obs(c.update_role_binding(&Id(fx.users[0].clone()), &body).await).await
                })
            }),
            g(Update, 400, "empty role_id", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = UpdateRoleBindingRequest {
                        role_id: Id(String::new()),
                    };
                    obs(c.update_role_binding(&fx.created(), &body).await).await
                })
            }),
            g(Update, 422, "Space ID as role_id", How::Plain, |c, fx| {
                Box::pin(async move {
                    let body = UpdateRoleBindingRequest {
                        role_id: Id(fx.spaces[0].clone()),
                    };
                    obs(c.update_role_binding(&fx.created(), &body).await).await
                })
            }),
            g_default(Update, 409, "conflict (injected)", How::Inject(409)),
            // ---- list ----
            g(
                List,
                200,
                "SPACE bindings, pages of 1",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let one = NonZeroU64::new(1);
                        let mut cursor: Option<String> = None;
                        let mut walked = 0usize;
                        for _page in 0..10 {
                            let result = c
                                .list_role_bindings(
                                    cursor.as_deref(),
                                    one,
                                    RoleBindingResourceType::Space,
                                    None,
                                )
                                .await;
                            let (seen, page) = observe(result).await;
                            let Some(page) = page else { return seen };
                            walked += page.role_bindings.len();
                            cursor = page.pagination.next_cursor;
                            if !page.pagination.has_more {
                                if walked != 3 {
                                    fx.fail(format!("list_role_bindings: walked {walked} SPACE bindings page by page, expected 3"));
                                }
                                return seen;
                            }
                        }
                        fx.fail("list_role_bindings: more than 10 pages of 1".to_owned());
                        Observed {
                            note: "too many pages".into(),
                            ..Observed::default()
                        }
                    })
                },
            ),
            g(
                List,
                200,
                "PROJECT, default limit, user filter",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let user = Id(fx.users[0].clone());
                        obs(c
                            .list_role_bindings(
                                None,
                                None,
                                RoleBindingResourceType::Project,
                                Some(&user),
                            )
                            .await)
                        .await
                    })
                },
            ),
            g(List, 400, "garbage cursor", How::Plain, |c, _| {
                Box::pin(async move {
                    obs(c
                        .list_role_bindings(
                            Some("not-a-cursor"),
                            None,
                            RoleBindingResourceType::Space,
                            None,
                        )
                        .await)
                    .await
                })
            }),
            g(List, 404, "unknown user_id", How::Plain, |c, _| {
                Box::pin(async move {
                    obs(c
                        .list_role_bindings(
                            None,
                            None,
                            RoleBindingResourceType::Space,
                            Some(&absent("User")),
                        )
                        .await)
                    .await
                })
            }),
            // ---- delete ----
            g_default(Delete, 204, "existing", How::Plain),
            g_default(Delete, 404, "already deleted", How::Plain),
            g(Delete, 404, "User ID as binding_id", How::Plain, |c, fx| {
                Box::pin(
                    async move { obs(c.delete_role_binding(&Id(fx.users[0].clone())).await).await },
                )
            }),
            g_default(Delete, 400, "bad request (injected)", How::Inject(400)),
            // ---- list_users ----
            g(
                ListUsers,
                200,
                "e-mail and status filters, page of 1",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let email = arize_api::types::ListUsersEmail::try_from("EXAMPLE.com").ok();
                        let status = vec![
                            arize_api::types::UserStatus::Active,
                            arize_api::types::UserStatus::Invited,
                        ];
                        let result = c
                            .list_users(None, email.as_ref(), NonZeroU64::new(1), Some(&status))
                            .await;
                        obs_check(fx, result, |page| {
                            (page.users.len() != 1).then(|| {
                                format!("list_users: a page of 1 has {} users", page.users.len())
                            })
                        })
                        .await
                    })
                },
            ),
            // ---- list_roles ----
            g(
                ListRoles,
                200,
                "predefined only, page of 1",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        obs_check(
                            fx,
                            c.list_roles(None, Some(true), NonZeroU64::new(1)).await,
                            |page| {
                                page.roles.iter().any(|r| !r.is_predefined).then(|| {
                                    "list_roles: is_predefined=true returned a custom role"
                                        .to_owned()
                                })
                            },
                        )
                        .await
                    })
                },
            ),
            // ---- list_spaces ----
            g(ListSpaces, 200, "name filter", How::Plain, |c, _| {
                Box::pin(
                    async move { obs(c.list_spaces(None, None, Some("space"), None).await).await },
                )
            }),
            // ---- list_projects ----
            g(ListProjects, 200, "space_id filter", How::Plain, |c, fx| {
                Box::pin(async move {
                    let space = Id(fx.spaces[0].clone());
                    obs_check(fx, c.list_projects(None, None, None, Some(&space), None).await, |page| {
                        page.projects.iter().any(|p| p.space_id != space).then(|| "list_projects: space_id filter returned another space's project".to_owned())
                    })
                    .await
                })
            }),
            g(
                ListProjects,
                200,
                "space_name and name filters",
                How::Plain,
                |c, _| {
                    Box::pin(async move {
                        obs(c
                            .list_projects(None, None, Some("project"), None, Some("space"))
                            .await)
                        .await
                    })
                },
            ),
            g(ListProjects, 404, "unknown space_id", How::Plain, |c, _| {
                Box::pin(async move {
                    obs(c
                        .list_projects(None, None, None, Some(&absent("Space")), None)
                        .await)
                    .await
                })
            }),
        ]
        .into_iter()
        .chain(read_rows::<GenCall>(
            ("garbage cursor", How::Plain, Some(g_read_garbage_cursor)),
            g_read_absent,
        ))
        .collect(),
        pending: Vec::new(),
    }
}

/// Every operation and documented status of the spec through the
/// generated client, as [`generated_table`] says.
async fn drive_generated_client(
    h: &Harness,
    spec: &SpecOps,
    rec: &mut Recorder,
) -> anyhow::Result<()> {
    let steps = generated_table()
        .plan(spec)
        .map_err(|errors| anyhow!("{}", errors.join("; ")))?;
    let client = h.client()?;
    let wrong_key = h.client_with_key("not-the-key")?;
    let fx = Fx::new(&h.fake);
    for step in steps {
        if let Ok(mut op) = fx.op.lock() {
            *op = step.op;
        }
        h.prepare(step.op, step.how);
        let api = if step.how == How::WrongKey {
            &wrong_key
        } else {
            &client
        };
        let seen = bounded((step.call)(api, &fx)).await;
        rec.record(&h.fake, step.op, step.status, &step.what, &seen);
    }
    rec.failures.extend(fx.take_failures());
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

/// What the facade rows work with.
#[derive(Debug)]
pub struct FFx<'f> {
    fake: &'f FakeServer,
    users: Vec<facade::UserId>,
    roles: Vec<facade::RoleId>,
    spaces: Vec<String>,
    models: Vec<String>,
    /// The operation of the running step (for the success status).
    op: Mutex<Operation>,
    created: Mutex<Option<facade::RoleBinding>>,
    failures: Mutex<Vec<String>>,
}

impl<'f> FFx<'f> {
    fn new(fake: &'f FakeServer) -> Self {
        Self {
            fake,
            users: fake.users().into_iter().map(facade::UserId::new).collect(),
            roles: fake.roles().into_iter().map(facade::RoleId::new).collect(),
            spaces: fake.spaces(),
            models: fake.models(),
            op: Mutex::new(Operation::List),
            created: Mutex::new(None),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn space(&self, index: usize) -> facade::Resource {
        facade::Resource::Space(facade::SpaceId::new(self.spaces[index].clone()))
    }

    fn model(&self) -> facade::Resource {
        facade::Resource::Project(facade::ProjectId::new(self.models[0].clone()))
    }

    fn created(&self) -> Option<facade::RoleBinding> {
        self.created.lock().ok().and_then(|c| c.clone())
    }

    fn created_id(&self) -> facade::RoleBindingId {
        self.created().map_or_else(
            || facade::RoleBindingId::new(absent_id("RoleBinding")),
            |b| b.id,
        )
    }

    fn fail(&self, message: String) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.push(message);
        }
    }

    fn take_failures(&self) -> Vec<String> {
        self.failures
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }

    /// Runs one facade call, counting the requests it made at the fake.
    async fn run<T>(
        &self,
        call: impl Future<Output = Result<T, facade::Error>>,
    ) -> (Observed, Option<T>) {
        let op = self.op.lock().map_or(Operation::List, |op| *op);
        let before = self.fake.requests().len();
        let result = call.await;
        let sent = self.fake.requests().len().saturating_sub(before);
        observe_facade(op, result, sent)
    }

    /// [`FFx::run`], the value checked with `check`.
    async fn run_check<T>(
        &self,
        call: impl Future<Output = Result<T, facade::Error>>,
        check: impl FnOnce(&T) -> Option<String>,
    ) -> Observed {
        let (seen, value) = self.run(call).await;
        if let Some(message) = value.as_ref().and_then(check) {
            self.fail(message);
        }
        seen
    }
}

/// A facade call: the request of one row.
pub type FacadeCall = for<'a> fn(&'a facade::Client, &'a FFx<'a>) -> BoxFuture<'a, Observed>;

/// A call the facade must refuse itself (a `ValidationError`, no request).
type LocalCall =
    for<'a> fn(&'a facade::Client, &'a FFx<'a>) -> BoxFuture<'a, Result<(), facade::Error>>;

/// One input the facade must refuse itself: its operation, a label, the
/// expected kind of `ValidationError`, and the call.
type LocalRejection = (
    Operation,
    &'static str,
    fn(&facade::ValidationError) -> bool,
    LocalCall,
);

fn f(
    op: Operation,
    status: u16,
    what: &'static str,
    how: How,
    call: FacadeCall,
) -> Row<FacadeCall> {
    Row {
        op,
        status,
        what,
        how,
        call: Some(call),
    }
}

fn f_default(op: Operation, status: u16, what: &'static str, how: How) -> Row<FacadeCall> {
    Row {
        op,
        status,
        what,
        how,
        call: None,
    }
}

/// A read's default call through the facade.
fn f_read<'a>(c: &'a facade::Client, fx: &'a FFx<'a>) -> BoxFuture<'a, Observed> {
    Box::pin(async move {
        let Some(read) = fx.op.lock().ok().and_then(|op| Read::of(*op)) else {
            return not_a_read();
        };
        let target = read_target(read, fx.fake);
        let call = (read.facade)(c, target.as_deref());
        fx.run_check(call, |got| check_read(read, target.as_ref(), got))
            .await
    })
}

/// A get of an ID the fake does not hold (404), through the facade.
fn f_read_absent<'a>(c: &'a facade::Client, fx: &'a FFx<'a>) -> BoxFuture<'a, Observed> {
    Box::pin(async move {
        let Some(read) = fx.op.lock().ok().and_then(|op| Read::of(*op)) else {
            return not_a_read();
        };
        let id = absent_id(read.type_name);
        fx.run((read.facade)(c, Some(&id))).await.0
    })
}

fn is_mismatch(v: &facade::ValidationError) -> bool {
    matches!(v, facade::ValidationError::IdTypeMismatch { .. })
}

fn is_empty(v: &facade::ValidationError) -> bool {
    matches!(v, facade::ValidationError::EmptyId { .. })
}

/// The inputs the facade refuses before sending (where the generated
/// client gets 400/404/422 from the fake): each must be a
/// `ValidationError` of the given kind and send nothing. The statuses
/// themselves are then produced by fault injection on a valid request
/// (`How::Inject` rows), so the facade's validation is not bypassed.
fn facade_local_rejections() -> Vec<LocalRejection> {
    vec![
        (
            Operation::Create,
            "Space ID as PROJECT",
            is_mismatch,
            |c, fx| {
                Box::pin(async move {
                    let resource =
                        facade::Resource::Project(facade::ProjectId::new(fx.spaces[1].clone()));
                    c.create(&fx.users[1], &fx.roles[0], &resource)
                        .await
                        .map(|_| ())
                })
            },
        ),
        (Operation::Create, "empty user_id", is_empty, |c, fx| {
            Box::pin(async move {
                c.create(&facade::UserId::new(""), &fx.roles[0], &fx.space(1))
                    .await
                    .map(|_| ())
            })
        }),
        (
            Operation::Get,
            "User ID as binding_id",
            is_mismatch,
            |c, fx| {
                Box::pin(async move {
                    c.get(&facade::RoleBindingId::new(fx.users[0].as_str()))
                        .await
                        .map(|_| ())
                })
            },
        ),
        (
            Operation::Update,
            "User ID as binding_id",
            is_mismatch,
            |c, fx| {
                Box::pin(async move {
                    c.update(
                        &facade::RoleBindingId::new(fx.users[0].as_str()),
                        &fx.roles[1],
                    )
                    .await
                    .map(|_| ())
                })
            },
        ),
        (
            Operation::Update,
            "Space ID as role_id",
            is_mismatch,
            |c, fx| {
                Box::pin(async move {
                    c.update(&fx.created_id(), &facade::RoleId::new(fx.spaces[0].clone()))
                        .await
                        .map(|_| ())
                })
            },
        ),
        (
            Operation::Delete,
            "User ID as binding_id",
            is_mismatch,
            |c, fx| {
                Box::pin(async move {
                    c.delete(&facade::RoleBindingId::new(fx.users[0].as_str()))
                        .await
                        .map(|_| ())
                })
            },
        ),
    ]
}

/// How the facade (`arize_role_bindings::Client`, one attempt per call)
/// drives each operation and documented status.
///
/// Each success is checked for its typed value where it says something,
/// each error for `Error::Api` with the status, the fake's problem (same
/// status) and, for 429, `retry_after() == 2 s`. The statuses come as for
/// the generated client, except where the facade refuses the input itself
/// ([`facade_local_rejections`]): create 400 and 422, update 400 and 422,
/// get/delete 400 are injected on valid requests.
///
/// The directory reads go through `client.users()/roles()/spaces()/projects()`
/// (`get` and `list_page`): a default call and a row per status other than
/// 401/429 each.
#[allow(clippy::too_many_lines)]
fn facade_table() -> Table<FacadeCall> {
    use Operation::{
        Create, Delete, Get, List, ListProjects, ListRoles, ListSpaces, ListUsers, Update,
    };
    use facade::directory::{ProjectQuery, RoleKind, RoleQuery, SpaceQuery, UserQuery, UserStatus};
    use facade::{ListQuery, ResourceType};
    Table {
        calls: with_reads::<FacadeCall>(f_read, vec![
            (Create, |c, fx| {
                Box::pin(async move {
                    fx.run(c.create(&fx.users[1], &fx.roles[0], &fx.space(1)))
                        .await
                        .0
                })
            }),
            (Get, |c, fx| {
                Box::pin(async move { fx.run(c.get(&fx.created_id())).await.0 })
            }),
            (Update, |c, fx| {
                Box::pin(async move { fx.run(c.update(&fx.created_id(), &fx.roles[1])).await.0 })
            }),
            (List, |c, fx| {
                Box::pin(async move {
                    fx.run(c.list_page(&ListQuery::new(ResourceType::Space)))
                        .await
                        .0
                })
            }),
            (Delete, |c, fx| {
                Box::pin(async move { fx.run(c.delete(&fx.created_id())).await.0 })
            }),
        ]),
        rows: vec![
            // ---- create ----
            f(Create, 201, "space binding", How::Plain, |c, fx| {
                Box::pin(async move {
                    let space0 = fx.space(0);
                    let (seen, value) = fx.run(c.create(&fx.users[0], &fx.roles[0], &space0)).await;
                    if let Some(b) = value {
                        if !(b.user_id == fx.users[0]
                            && b.role_id == fx.roles[0]
                            && b.resource == space0)
                        {
                            fx.fail(format!("create: got {b:?}, expected user0/role0/space0"));
                        }
                        if let Ok(mut created) = fx.created.lock() {
                            *created = Some(b);
                        }
                    }
                    seen
                })
            }),
            f(Create, 201, "model as PROJECT", How::Plain, |c, fx| {
                Box::pin(async move {
                    let model = fx.model();
                    fx.run_check(c.create(&fx.users[0], &fx.roles[0], &model), |b| {
                        (b.resource != model)
                            .then(|| format!("create: model binding came back as {:?}", b.resource))
                    })
                    .await
                })
            }),
            f(Create, 201, "more bindings (user1)", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.create(&fx.users[1], &fx.roles[1], &fx.space(0)))
                        .await
                        .0
                })
            }),
            f(Create, 201, "more bindings (user2)", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.create(&fx.users[2], &fx.roles[1], &fx.space(0)))
                        .await
                        .0
                })
            }),
            f(
                Create,
                409,
                "second binding for (user, resource)",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        fx.run(c.create(&fx.users[0], &fx.roles[1], &fx.space(0)))
                            .await
                            .0
                    })
                },
            ),
            f(Create, 403, "unknown space", How::Plain, |c, fx| {
                Box::pin(async move {
                    let space = facade::Resource::Space(facade::SpaceId::new(absent_id("Space")));
                    fx.run(c.create(&fx.users[0], &fx.roles[0], &space)).await.0
                })
            }),
            f(Create, 404, "unknown user", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.create(
                        &facade::UserId::new(absent_id("User")),
                        &fx.roles[0],
                        &fx.space(1),
                    ))
                    .await
                    .0
                })
            }),
            f_default(Create, 422, "unprocessable (injected)", How::Inject(422)),
            f_default(Create, 400, "bad request (injected)", How::Inject(400)),
            // ---- get ----
            f(Get, 200, "existing", How::Plain, |c, fx| {
                Box::pin(async move {
                    let created = fx.created();
                    fx.run_check(c.get(&fx.created_id()), |b| {
                        (Some(b) != created.as_ref())
                            .then(|| format!("get: got {b:?}, expected {created:?}"))
                    })
                    .await
                })
            }),
            f(Get, 404, "unknown binding", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.get(&facade::RoleBindingId::new(absent_id("RoleBinding"))))
                        .await
                        .0
                })
            }),
            f_default(Get, 400, "bad request (injected)", How::Inject(400)),
            // ---- update ----
            f(Update, 200, "change role", How::Plain, |c, fx| {
                Box::pin(async move {
                    let id = fx.created_id();
                    fx.run_check(c.update(&id, &fx.roles[1]), |b| {
                        (!(b.id == id && b.role_id == fx.roles[1] && b.user_id == fx.users[0]))
                            .then(|| format!("update: got {b:?}, expected {id} with role1"))
                    })
                    .await
                })
            }),
            f(Update, 404, "unknown binding", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.update(
                        &facade::RoleBindingId::new(absent_id("RoleBinding")),
                        &fx.roles[1],
                    ))
                    .await
                    .0
                })
            }),
            f_default(Update, 400, "bad request (injected)", How::Inject(400)),
            f_default(Update, 422, "unprocessable (injected)", How::Inject(422)),
            f_default(Update, 409, "conflict (injected)", How::Inject(409)),
            // ---- list ----
            f(
                List,
                200,
                "SPACE bindings, pages stream of 1",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        // Each page is one request; the stream ends after the
                        // page with has_more false, without another request.
                        let mut pages = c.pages(ListQuery::new(ResourceType::Space).limit(1));
                        let mut walked: Vec<String> = Vec::new();
                        let mut last = Observed::default();
                        for _page in 0..10 {
                            let (seen, page) = fx.run(pages.try_next()).await;
                            last = seen;
                            if last.requests_sent != Some(1) {
                                return last;
                            }
                            let Some(page) = page.flatten() else {
                                fx.fail("list: the page stream ended early".to_owned());
                                return last;
                            };
                            walked.extend(page.bindings().iter().map(|b| b.id.as_str().to_owned()));
                            if !page.has_more() {
                                break;
                            }
                        }
                        let before = fx.fake.requests().len();
                        let end = pages.try_next().await;
                        let after = fx.fake.requests().len();
                        if !(matches!(end, Ok(None)) && after == before) {
                            fx.fail(format!(
                            "list: the page stream did not end cleanly: {end:?}, {} more request(s)",
                            after - before
                        ));
                        }
                        let expected: Vec<String> = fx
                            .fake
                            .bindings()
                            .into_iter()
                            .filter(|b| b.resource_type == RoleBindingResourceType::Space)
                            .map(|b| b.id.0)
                            .collect();
                        if walked != expected {
                            fx.fail(format!(
                                "list: walked SPACE bindings {walked:?}, expected {expected:?}"
                            ));
                        }
                        last
                    })
                },
            ),
            f(
                List,
                200,
                "PROJECT, default limit, user filter",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let model = fx.model();
                        let query = ListQuery::new(ResourceType::Project).user(fx.users[0].clone());
                        fx.run_check(c.list_page(&query), |page| {
                        let got: Vec<&facade::Resource> = page.bindings().iter().map(|b| &b.resource).collect();
                        (got != [&model] || page.has_more())
                            .then(|| format!("list: user0's PROJECT bindings are {got:?}, expected only the model"))
                    })
                    .await
                    })
                },
            ),
            f(List, 400, "garbage cursor", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.list_page(&ListQuery::new(ResourceType::Space).cursor("not-a-cursor")))
                        .await
                        .0
                })
            }),
            f(List, 404, "unknown user_id", How::Plain, |c, fx| {
                Box::pin(async move {
                    let query = ListQuery::new(ResourceType::Space)
                        .user(facade::UserId::new(absent_id("User")));
                    fx.run(c.list_page(&query)).await.0
                })
            }),
            // ---- delete ----
            f(Delete, 204, "existing", How::Plain, |c, fx| {
                Box::pin(async move {
                    let id = fx.created_id();
                    let (seen, _) = fx.run(c.delete(&id)).await;
                    if fx.fake.binding(id.as_str()).is_some() {
                        fx.fail("delete: the binding is still in the fake's store".to_owned());
                    }
                    seen
                })
            }),
            // One attempt only, so the facade's "404 after an attempt that
            // may have deleted it counts as done" rule does not apply.
            f_default(Delete, 404, "already deleted", How::Plain),
            f_default(Delete, 400, "bad request (injected)", How::Inject(400)),
            // ---- the directory reads ----
            // The facade's queries take no cursor (its page streams carry
            // them), so each list's 400 is injected, as are the 403s.
            f(
                ListUsers,
                200,
                "e-mail and status filters, page of 1",
                How::Plain,
                |c, fx| {
                    Box::pin(async move {
                        let query = UserQuery::new()
                            .email("EXAMPLE.com")
                            .status(UserStatus::Active)
                            .limit(1);
                        fx.run_check(c.users().list_page(&query), |page| {
                            (page.items().len() != 1).then(|| {
                                format!(
                                    "users().list_page: a page of 1 has {} users",
                                    page.items().len()
                                )
                            })
                        })
                        .await
                    })
                },
            ),
            f(ListRoles, 200, "predefined only", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run_check(
                        c.roles()
                            .list_page(&RoleQuery::new().kind(RoleKind::Predefined)),
                        |page| {
                            page.items().iter().any(|r| !r.is_predefined).then(|| {
                                "roles().list_page: Predefined returned a custom role".to_owned()
                            })
                        },
                    )
                    .await
                })
            }),
            f(ListSpaces, 200, "name filter", How::Plain, |c, fx| {
                Box::pin(async move {
                    fx.run(c.spaces().list_page(&SpaceQuery::new().name("space")))
                        .await
                        .0
                })
            }),
            f(ListProjects, 200, "space filter", How::Plain, |c, fx| {
                Box::pin(async move {
                    let space = facade::SpaceId::new(fx.spaces[0].clone());
                    fx.run_check(c.projects().list_page(&ProjectQuery::new().space(space.clone())), |page| {
                        page.items().iter().any(|p| p.space_id != space).then(|| "projects().list_page: space filter returned another space's project".to_owned())
                    })
                    .await
                })
            }),
            f(ListProjects, 404, "unknown space", How::Plain, |c, fx| {
                Box::pin(async move {
                    let query = ProjectQuery::new().space(facade::SpaceId::new(absent_id("Space")));
                    fx.run(c.projects().list_page(&query)).await.0
                })
            }),
        ]
        .into_iter()
        .chain(read_rows::<FacadeCall>(
            ("bad request (injected)", How::Inject(400), None),
            f_read_absent,
        ))
        .collect(),
        pending: Vec::new(),
    }
}

/// Every operation and documented status the facade offers, as
/// [`facade_table`] says, and the inputs it refuses itself.
async fn drive_facade(h: &Harness, spec: &SpecOps, rec: &mut Recorder) -> anyhow::Result<()> {
    let table = facade_table();
    let steps = table
        .plan(spec)
        .map_err(|errors| anyhow!("{}", errors.join("; ")))?;
    rec.pending = table.pending.clone();
    let client = h.facade_with_key(API_KEY)?;
    let wrong_key = h.facade_with_key("not-the-key")?;
    let fx = FFx::new(&h.fake);
    let mut rejections_done = false;
    for step in steps {
        // The local rejections run once the first binding exists (one of
        // them updates it), before anything else.
        if !rejections_done && step.op != Operation::Create {
            rejections_done = true;
            for (op, what, expected, call) in facade_local_rejections() {
                let before = h.fake.requests().len();
                let result = tokio::time::timeout(ROW_TIMEOUT, call(&client, &fx)).await;
                let sent = h.fake.requests().len().saturating_sub(before);
                rec.local_rejections += 1;
                let rejected =
                    matches!(&result, Ok(Err(facade::Error::Validation(v))) if expected(v));
                if !rejected || sent != 0 {
                    rec.failures.push(format!(
                        "{op} {what}: expected the facade to reject it before sending, got {result:?} after {sent} request(s)"
                    ));
                }
            }
        }
        if let Ok(mut op) = fx.op.lock() {
            *op = step.op;
        }
        h.prepare(step.op, step.how);
        let api = if step.how == How::WrongKey {
            &wrong_key
        } else {
            &client
        };
        let seen = bounded((step.call)(api, &fx)).await;
        rec.record(&h.fake, step.op, step.status, &step.what, &seen);
        // Injected faults do not apply the operation: after the creates,
        // nothing is bound on space1 (only failed creates targeted it).
        if step.op == Operation::Create && step.how != How::Plain {
            let stray = h
                .fake
                .bindings()
                .iter()
                .filter(|b| b.resource_id.0 == fx.spaces[1])
                .count();
            if stray != 0 {
                rec.failures.push(format!(
                    "create {}: {stray} binding(s) on space1 after only failed creates",
                    step.what
                ));
            }
        }
    }
    rec.failures.extend(fx.take_failures());
    Ok(())
}
