//! Shared by the examples: an in-process fake Arize server, so every
//! example runs (and exits 0) without an account.
//!
//! To point an example at the real API instead, build the client with
//! `Client::from_env()` (it reads `ARIZE_API_KEY`, `ARIZE_REGION`, ...) and
//! use IDs from your account.

use arize_fake_server::{FakeServer, Seed};
use arize_role_bindings::Client;

/// Starts a fake server with `seed` and a client for it.
pub async fn fake(seed: Seed) -> Result<(FakeServer, Client), Box<dyn std::error::Error>> {
    let server = FakeServer::builder()
        .api_key("example-key")
        .seed(seed)
        .start()
        .await?;
    let client = Client::builder()
        .api_key("example-key")
        .base_url(server.base_url())
        .build()?;
    Ok((server, client))
}
