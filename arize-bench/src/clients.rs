//! The three clients under test, built on identical `reqwest::Client`s:
//! same headers (the facade's own: bearer key, identity headers, user
//! agent), no proxy, the same connect timeout, reqwest's default keep-alive
//! pool. The facade is handed its `reqwest::Client` ready-made
//! ([`ClientBuilder::reqwest_client`]) so the connection settings cannot
//! differ.

use std::time::Duration;

use anyhow::Context as _;
use arize_role_bindings::{BetaWarning, ClientBuilder};

use crate::raw::Raw;

/// The key the fake server is started with in every scenario.
pub const API_KEY: &str = "arize-bench-key";

/// The connect timeout of every client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `reqwest::Client` with the facade's headers and the shared settings.
///
/// # Errors
///
/// When the headers or the client cannot be built.
pub fn http(api_key: &str) -> anyhow::Result<reqwest::Client> {
    // The facade's default TLS (rustls-ring) leaves reqwest without a
    // built-in provider: install ring before building a client by hand.
    arize_role_bindings::install_crypto_provider();
    let headers = ClientBuilder::new()
        .api_key(api_key)
        .headers()
        .context("the facade's headers")?;
    reqwest::Client::builder()
        .no_proxy()
        .default_headers(headers)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .context("building the reqwest client")
}

/// The facade on its own [`http`] client.
///
/// # Errors
///
/// When the client cannot be built.
pub fn facade(base_url: &str, api_key: &str) -> anyhow::Result<arize_role_bindings::Client> {
    facade_builder(base_url, api_key)?
        .build()
        .context("building the facade client")
}

/// The builder behind [`facade`], for scenarios that change a setting
/// (e.g. the retry policy).
///
/// # Errors
///
/// When the `reqwest::Client` cannot be built.
pub fn facade_builder(base_url: &str, api_key: &str) -> anyhow::Result<ClientBuilder> {
    Ok(ClientBuilder::new()
        .base_url(base_url)
        .reqwest_client(http(api_key)?)
        .beta_warning(BetaWarning::Off))
}

/// The generated client on its own [`http`] client.
///
/// # Errors
///
/// When the client cannot be built.
pub fn generated(base_url: &str, api_key: &str) -> anyhow::Result<arize_api::Client> {
    Ok(arize_api::Client::new_with_client(base_url, http(api_key)?))
}

/// The raw baseline on its own [`http`] client.
///
/// # Errors
///
/// When the client cannot be built.
pub fn raw(base_url: &str, api_key: &str) -> anyhow::Result<Raw> {
    Ok(Raw::new(http(api_key)?, base_url))
}
