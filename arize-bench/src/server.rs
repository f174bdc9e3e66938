//! The fake server: in-process on a runtime of its own (one worker thread,
//! so the client's thread and the server's thread each get a core), or as a
//! separate process where the client's memory is measured.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use arize_fake_server::{FakeServer, FakeServerBuilder, Seed};
use serde::Deserialize;

use crate::clients::API_KEY;

/// Users and spaces for `bindings` bindings, all on `SPACE` resources (one
/// per (user, space)): 100 spaces, as many users as needed.
pub fn shape_for(bindings: usize) -> (usize, usize) {
    let spaces = bindings.clamp(1, 100);
    let users = bindings.div_ceil(spaces).max(1);
    (users, spaces)
}

/// A seed with exactly `bindings` bindings, all `SPACE`, reproducible IDs.
pub fn seed_for(bindings: usize) -> Seed {
    let (users, spaces) = shape_for(bindings);
    Seed::empty()
        .users(users)
        .roles(3)
        .spaces(spaces)
        .bindings(bindings)
        .rng_seed(5)
}

/// A fake server running in this process on its own runtime.
#[derive(Debug)]
pub struct InProcess {
    // Dropped in this order: the server (which stops its accept loop),
    // then its runtime.
    server: FakeServer,
    _runtime: tokio::runtime::Runtime,
}

impl InProcess {
    /// Starts `builder` (its key is set to [`API_KEY`]).
    ///
    /// # Errors
    ///
    /// When the runtime or the server cannot start.
    pub fn start(builder: FakeServerBuilder) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fake-server")
            .enable_all()
            .build()
            .context("building the server runtime")?;
        let server = runtime
            .block_on(builder.api_key(API_KEY).start())
            .context("starting the fake server")?;
        Ok(Self {
            server,
            _runtime: runtime,
        })
    }

    /// Starts a server seeded with `bindings` `SPACE` bindings.
    ///
    /// # Errors
    ///
    /// See [`InProcess::start`].
    pub fn with_bindings(bindings: usize) -> anyhow::Result<Self> {
        Self::start(FakeServer::builder().seed(seed_for(bindings)))
    }

    /// The running server.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }

    /// Its base URL.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }
}

/// The first line `arize-fake-server` prints: the base URL and the seeded
/// bindings (their IDs, users, roles and resources are kept).
#[derive(Deserialize)]
struct Summary {
    base_url: String,
    #[serde(default)]
    bindings: Vec<Seeded>,
}

/// A binding the fake server was seeded with.
#[derive(Debug, Clone, Deserialize)]
pub struct Seeded {
    /// The binding's ID.
    pub id: String,
    /// Its user.
    #[serde(default)]
    pub user_id: String,
    /// Its role.
    #[serde(default)]
    pub role_id: String,
    /// Its resource (a space: the server is seeded with space bindings).
    #[serde(default)]
    pub resource_id: String,
}

/// `arize-fake-server` running as a child process; killed on drop.
#[derive(Debug)]
pub struct External {
    child: Child,
    base_url: String,
    binding_ids: Vec<String>,
    seeded: Vec<Seeded>,
}

impl External {
    /// Starts `bin --port 0` seeded with `bindings` `SPACE` bindings and
    /// waits (at most 2 minutes) for its base URL.
    ///
    /// # Errors
    ///
    /// When the process cannot start, exits, or prints no base URL.
    pub fn spawn(bin: &Path, bindings: usize) -> anyhow::Result<Self> {
        let (users, spaces) = shape_for(bindings);
        let mut child = Command::new(bin)
            .args(["--port", "0", "--api-key", API_KEY, "--roles", "3"])
            .args(["--projects", "0", "--models", "0", "--rng-seed", "5"])
            .arg("--users")
            .arg(users.to_string())
            .arg("--spaces")
            .arg(spaces.to_string())
            .arg("--bindings")
            .arg(bindings.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("no stdout from {}", bin.display());
        };
        // The first line lists every seeded binding (megabytes for 100,000);
        // read it on a thread so that the wait is bounded.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let result = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send(result);
            // Keep draining so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut server = Self {
            child,
            base_url: String::new(),
            binding_ids: Vec::new(),
            seeded: Vec::new(),
        };
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => bail!("reading the fake server's stdout: {e}"),
            Err(_) => bail!("the fake server printed no base URL within 2 minutes"),
        };
        if line.trim().is_empty() {
            let status = server.child.try_wait().ok().flatten();
            bail!("the fake server exited before printing its base URL ({status:?})");
        }
        let summary: Summary =
            serde_json::from_str(&line).context("parsing the fake server's first line")?;
        server.base_url = summary.base_url;
        server.binding_ids = summary.bindings.iter().map(|b| b.id.clone()).collect();
        server.seeded = summary.bindings;
        Ok(server)
    }

    /// Its base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The IDs of the seeded bindings, in creation order.
    pub fn binding_ids(&self) -> &[String] {
        &self.binding_ids
    }

    /// The seeded bindings, in creation order.
    pub fn seeded(&self) -> &[Seeded] {
        &self.seeded
    }
}

/// Where a scenario's fake server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Placement {
    /// In this process, on a runtime thread of its own.
    InProcess,
    /// `arize-fake-server` as a separate process (as a real server is).
    Process,
}

/// A fake server seeded with `SPACE` bindings, in either placement.
#[derive(Debug)]
pub enum Server {
    /// In this process.
    InProcess(InProcess),
    /// A child process.
    Process(External),
}

impl Server {
    /// Starts a server with `bindings` bindings.
    ///
    /// # Errors
    ///
    /// When the server cannot start.
    pub fn start(
        placement: Placement,
        fake_server: &Path,
        bindings: usize,
    ) -> anyhow::Result<Self> {
        Ok(match placement {
            Placement::InProcess => Self::InProcess(InProcess::with_bindings(bindings)?),
            Placement::Process => Self::Process(External::spawn(fake_server, bindings)?),
        })
    }

    /// Its base URL.
    pub fn base_url(&self) -> &str {
        match self {
            Self::InProcess(s) => s.base_url(),
            Self::Process(s) => s.base_url(),
        }
    }

    /// The IDs of the seeded bindings, in creation order.
    pub fn binding_ids(&self) -> Vec<String> {
        match self {
            Self::InProcess(s) => s.server().bindings().into_iter().map(|b| b.id.0).collect(),
            Self::Process(s) => s.binding_ids().to_vec(),
        }
    }

    /// Empties the request log of an in-process server (a child process
    /// keeps its log).
    pub fn clear_requests(&self) {
        if let Self::InProcess(s) = self {
            s.server().clear_requests();
        }
    }
}

impl Drop for External {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_hold_enough_pairs() {
        for n in [1, 5, 99, 100, 101, 2_000, 10_000, 100_000] {
            let (users, spaces) = shape_for(n);
            assert!(users * spaces >= n, "{n}: {users}×{spaces}");
        }
        assert_eq!(shape_for(100_000), (1_000, 100));
    }
}
