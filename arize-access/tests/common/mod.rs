//! The harness the binary's tests share: a fake server on its own runtime
//! with a fixed seed and clock (so IDs and times are the same on every
//! run), an empty home directory, and the binary pointed at them.

// Each test file uses part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};

use arize_fake_server::{FakeServer, FakeServerBuilder, Operation, Seed};
use assert_cmd::Command;
use chrono::{TimeZone as _, Utc};

/// The key the fake accepts.
pub const KEY: &str = "arize-access-test-key";

/// A fake server (`Seed::default()` with `bindings` bindings, spaces
/// first) and an empty home directory, which is also the commands'
/// working directory.
pub struct Fake {
    pub server: FakeServer,
    pub home: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn new(bindings: usize) -> Self {
        Self::with(bindings, |b| b)
    }

    pub fn with(
        bindings: usize,
        configure: impl FnOnce(FakeServerBuilder) -> FakeServerBuilder,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let ticks = AtomicI64::new(0);
        let builder = FakeServer::builder()
            .api_key(KEY)
            .seed(Seed::default().bindings(bindings).rng_seed(7))
            .clock(move || {
                Utc.timestamp_opt(1_767_258_000 + ticks.fetch_add(1, Ordering::Relaxed), 0)
                    .unwrap()
            });
        let server = runtime.block_on(configure(builder).start()).unwrap();
        Self {
            server,
            home: tempfile::tempdir().unwrap(),
            _runtime: runtime,
        }
    }

    /// The binary with a clean environment: only HOME and NO_COLOR, no
    /// key; run in the home directory, no terminal.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("arize-access").unwrap();
        cmd.env_clear()
            .env("HOME", self.home.path())
            .env("NO_COLOR", "1")
            .current_dir(self.home.path())
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The binary pointed at the fake, the key in ARIZE_API_KEY.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.bare();
        cmd.env("ARIZE_API_KEY", KEY)
            .arg("--base-url")
            .arg(self.server.base_url());
        cmd
    }

    /// A file in the home directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// Requests that change something (create, update, delete).
    pub fn writes(&self) -> usize {
        [Operation::Create, Operation::Update, Operation::Delete]
            .into_iter()
            .map(|op| self.server.request_count(op))
            .sum()
    }
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}
