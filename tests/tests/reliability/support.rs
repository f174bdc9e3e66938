//! The harness: bounded cells, counters, the recording sleeper, the leak
//! scanner for tracing output, and small shared helpers.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arize_role_bindings::{BetaWarning, Client, ClientBuilder, Error, Jitter, RetryPolicy};

/// The API key of every client and fake server in this suite: distinctive,
/// so that any appearance of it (or of a recognisable part) is a leak.
pub const KEY: &str = "sk-LEAKCANARY-5c1e7d2f-a9b3-0e4f6a8b2c1d";
/// Parts of the key that must not appear either.
pub const KEY_PARTS: &[&str] = &[KEY, "LEAKCANARY", "5c1e7d2f-a9b3", "0e4f6a8b2c1d"];

/// The backoff before the first and the second retry with [`policy`].
pub const B1: Duration = Duration::from_millis(10);
pub const B2: Duration = Duration::from_millis(20);
/// [`policy`]'s cap on `Retry-After`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

/// 3 attempts, 10 ms doubling backoff without jitter, `Retry-After` capped
/// at 5 s. Waits go to a [`RecordingSleeper`], so nothing really waits.
pub fn policy() -> RetryPolicy {
    RetryPolicy::standard()
        .max_attempts(3)
        .initial_backoff(B1)
        .max_backoff(Duration::from_millis(40))
        .max_retry_after(MAX_RETRY_AFTER)
        .jitter(Jitter::None)
}

/// A builder for `base_url` with the suite's key, policy and `sleeper`.
pub fn builder(base_url: &str, sleeper: &Arc<RecordingSleeper>) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .beta_warning(BetaWarning::Once)
        .retry_policy(policy())
        .sleeper(sleeper.clone())
        .attempt_timeout(Duration::from_secs(10))
        .deadline(Duration::from_secs(30))
}

/// The recording sleeper of the SDK's test kit (feature `test-util`).
pub use arize_role_bindings::test_util::RecordingSleeper;

// ---------------------------------------------------------------------------
// Counters and results.

pub static PANICS: AtomicUsize = AtomicUsize::new(0);
pub static HANGS: AtomicUsize = AtomicUsize::new(0);
pub static LEAKS: AtomicUsize = AtomicUsize::new(0);

/// How one named check ended.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    pub result: Result<(), String>,
}

/// Every check of a run, and what the sections counted.
#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub fault_cells: usize,
    pub bad_inputs: usize,
    pub load_calls: usize,
    pub hardening: usize,
}

impl Report {
    pub fn push(&mut self, name: impl Into<String>, result: Result<(), String>) {
        self.outcomes.push(Outcome {
            name: name.into(),
            result,
        });
    }

    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_err()).count()
    }
}

/// Runs `check` on its own task, bounded by `limit`: a panic counts in
/// [`PANICS`], running out of time in [`HANGS`]; both fail the check.
pub async fn bounded<F>(limit: Duration, check: F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let mut task = tokio::spawn(check);
    match tokio::time::timeout(limit, &mut task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) if join.is_panic() => {
            PANICS.fetch_add(1, Ordering::SeqCst);
            Err(format!("PANIC: {}", panic_text(join.into_panic())))
        }
        Ok(Err(join)) => Err(format!("task failed: {join}")),
        Err(_) => {
            task.abort();
            HANGS.fetch_add(1, Ordering::SeqCst);
            Err(format!("HANG: not finished within {limit:?}"))
        }
    }
}

/// Runs `f`, counting a panic in [`PANICS`] and turning it into an error.
pub fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        format!("PANIC in {what}: {}", panic_text(payload))
    })
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic)".to_owned()
    }
}

/// Fails (and counts a leak) when `text` contains the key or a part of it.
pub fn no_key(what: &str, text: &str) -> Result<(), String> {
    for part in KEY_PARTS {
        if text.contains(part) {
            LEAKS.fetch_add(1, Ordering::SeqCst);
            return Err(format!("LEAK: the key ({part}) appears in {what}: {text}"));
        }
    }
    Ok(())
}

/// `Display`, `Debug`, alternate `Debug` and the whole source chain of an
/// error, as one text.
pub fn error_text(err: &Error) -> String {
    let mut text = format!("{err} | {err:?} | {err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    text
}

/// Checks that an error says nothing of the key.
pub fn error_without_key(err: &Error) -> Result<(), String> {
    no_key("an error", &error_text(err))
}

/// `Err(message)` unless `cond`.
pub fn check(cond: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(message()) }
}

// ---------------------------------------------------------------------------
// Tracing: everything at TRACE goes through a writer that looks for the key
// and keeps no more than a short tail.

#[derive(Debug, Default)]
struct ScanState {
    tail: Vec<u8>,
    bytes: u64,
    hits: Vec<String>,
}

/// The tracing writer: scans all output for the key (also across writes).
#[derive(Clone, Debug, Default)]
pub struct LeakScanner(Arc<Mutex<ScanState>>);

impl LeakScanner {
    /// Bytes of tracing output scanned.
    pub fn bytes(&self) -> u64 {
        self.0.lock().unwrap().bytes
    }

    /// Excerpts around the key, one per tracing write that contained it.
    pub fn hits(&self) -> Vec<String> {
        self.0.lock().unwrap().hits.clone()
    }
}

impl std::io::Write for LeakScanner {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let longest = KEY_PARTS.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut state = self.0.lock().unwrap();
        state.bytes += buf.len() as u64;
        let mut window = std::mem::take(&mut state.tail);
        let carried = window.len();
        window.extend_from_slice(buf);
        // One hit per write (one tracing event) that contains key material.
        'parts: for part in KEY_PARTS {
            let needle = part.as_bytes();
            let mut start = 0;
            while let Some(pos) = find(&window[start..], needle) {
                let at = start + pos;
                // A hit wholly inside the carried tail was counted already.
                if at + needle.len() > carried {
                    let lo = at.saturating_sub(80);
                    let hi = (at + needle.len() + 80).min(window.len());
                    state
                        .hits
                        .push(String::from_utf8_lossy(&window[lo..hi]).into_owned());
                    break 'parts;
                }
                start = at + 1;
            }
        }
        let keep = window.len().saturating_sub(longest.saturating_sub(1));
        state.tail = window.split_off(keep);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LeakScanner {
    type Writer = LeakScanner;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs the global TRACE subscriber (every target, span events too)
/// writing into a [`LeakScanner`].
pub fn install_tracing() -> LeakScanner {
    let scanner = LeakScanner::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(scanner.clone())
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    scanner
}

/// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
pub fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
