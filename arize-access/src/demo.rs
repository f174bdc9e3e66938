//! `--demo`: the command runs against an embedded fake Arize server
//! (crate `arize-fake-server`) on 127.0.0.1, seeded with a small directory
//! and a few bindings. The seed and the clock are fixed, so the IDs (and
//! the times) are the same on every run; nothing is kept between runs.

use std::sync::atomic::{AtomicI64, Ordering};

use arize_fake_server::{FakeServer, Seed};
use arize_role_bindings::{BetaWarning, Client};
use chrono::{DateTime, TimeZone as _, Utc};

use crate::exit::CliError;

/// How many bindings the demo starts with.
const BINDINGS: usize = 8;

/// The running demo server.
#[derive(Debug)]
pub struct Demo {
    server: FakeServer,
}

/// Starts the seeded server on an ephemeral port.
///
/// # Errors
///
/// [`CliError::Config`] when the server cannot start.
pub async fn start() -> Result<Demo, CliError> {
    // 2026-01-01T09:00:00Z, one second later on every reading.
    let ticks = AtomicI64::new(0);
    let clock = move || -> DateTime<Utc> {
        let n = ticks.fetch_add(1, Ordering::Relaxed);
        Utc.timestamp_opt(1_767_258_000 + n, 0)
            .single()
            .unwrap_or_default()
    };
    let server = FakeServer::builder()
        .seed(Seed::default().bindings(BINDINGS).rng_seed(2026))
        .clock(clock)
        .start()
        .await
        .map_err(|e| CliError::Config(format!("--demo: the fake server did not start: {e}")))?;
    Ok(Demo { server })
}

impl Demo {
    /// A client for the server.
    ///
    /// # Errors
    ///
    /// The SDK's configuration errors.
    pub fn client(&self) -> Result<Client, CliError> {
        Ok(Client::builder()
            .api_key(self.server.api_key())
            .base_url(self.server.base_url())
            .beta_warning(BetaWarning::Off)
            .build()?)
    }

    /// Two lines about what the demo is: the server, then the seeded
    /// names to try commands with.
    pub fn banner(&self) -> [String; 2] {
        let s = &self.server;
        [
            format!(
                "an in-memory fake Arize server at {} with {} users, {} roles, {} spaces, {} \
                 projects, {} model and {BINDINGS} bindings; nothing is kept",
                s.base_url(),
                s.users().len(),
                s.roles().len(),
                s.spaces().len(),
                s.projects().len(),
                s.models().len(),
            ),
            {
                let d = s.directory();
                let names = |names: Vec<String>| names.join(", ");
                format!(
                    "users {}; roles {}; spaces {}; projects {}; model {} (names work wherever \
                     an ID is taken: `arize-access --demo users list`)",
                    names(d.users.iter().map(|u| u.email.clone()).collect()),
                    names(d.roles.iter().map(|r| r.name.clone()).collect()),
                    names(d.spaces.iter().map(|x| x.name.clone()).collect()),
                    names(
                        d.projects
                            .iter()
                            .map(|p| {
                                let space = d
                                    .spaces
                                    .iter()
                                    .find(|x| x.id.0 == p.space_id.0)
                                    .map_or("?", |x| x.name.as_str());
                                format!("{} (in {space})", p.name)
                            })
                            .collect()
                    ),
                    s.models().join(" "),
                )
            },
        ]
    }
}
