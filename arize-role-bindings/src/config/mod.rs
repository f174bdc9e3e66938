//! Building a [`Client`](crate::Client): the builder, Arize's environment variables, and
//! the headers every request carries.
//!
//! # Timeouts
//!
//! Three durations, kept apart:
//!
//! - **connect timeout** (default 10 s): establishing one connection. A
//!   connect timeout is a connection failure: nothing was sent, so every
//!   request is retried.
//! - **attempt timeout** (default 30 s): one attempt, from sending to the
//!   whole response body. When it elapses the request may have been applied,
//!   so a create is not retried.
//! - **deadline** (default 120 s): one call as a whole — every attempt and
//!   every wait between attempts. No attempt or wait runs past it. For a
//!   listing stream it applies to each page; for `ensure` and `revoke` to
//!   each create, update and delete they make, and to their lookup (the
//!   listing of the user's bindings) **as a whole**: every page of it must
//!   arrive within one deadline from the lookup's start, and a lookup reads
//!   at most [`MAX_LOOKUP_PAGES`](crate::MAX_LOOKUP_PAGES) pages.
//!
//! # Environment
//!
//! [`ClientBuilder::from_env`] follows Arize's SDKs (explicit builder calls
//! made afterwards take precedence over the environment, which takes
//! precedence over the defaults). Empty variables count as unset.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `ARIZE_API_KEY` | API key (required) | — |
//! | `ARIZE_REGION` | `ca-central-1a`, `eu-west-1a`, `us-central-1a` or `us-east-1b`: host `api.<region>.arize.com` | unset |
//! | `ARIZE_API_HOST` | host, no scheme | `api.arize.com` |
//! | `ARIZE_API_SCHEME` | `http` or `https` | `https` |
//! | `ARIZE_API_PORT` | port, 0 = the scheme's default | 0 |
//! | `ARIZE_SINGLE_HOST`, `ARIZE_SINGLE_PORT` | one host (and port) for everything | unset |
//! | `ARIZE_BASE_DOMAIN` | host `api.<base domain>` (Private Connect) | unset |
//! | `ARIZE_BASE_URL` | a complete base URL (as the TypeScript client) | unset |
//! | `ARIZE_PROXY_URL` | proxy for all requests, http and https | none |
//! | `HTTPS_PROXY` (or `https_proxy`), then `ALL_PROXY` (`all_proxy`) | proxy for `https://` base URLs only | none |
//! | `HTTP_PROXY` (or `http_proxy`), then `ALL_PROXY` (`all_proxy`) | proxy for `http://` base URLs only; ignored when `REQUEST_METHOD` is set | none |
//! | `NO_PROXY` (or `no_proxy`) | hosts that bypass the proxy (`*`, domains, IPs, CIDR ranges) | none |
//! | `ARIZE_SSL_CA_CERT`, then `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE` | PEM bundle of extra trusted CAs | system roots |
//! | `ARIZE_REQUEST_VERIFY` | verify TLS certificates: `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`) | `true` |
//!
//! `ARIZE_REGION`, `ARIZE_SINGLE_HOST`/`ARIZE_SINGLE_PORT`,
//! `ARIZE_BASE_DOMAIN` and `ARIZE_BASE_URL` are mutually exclusive (and
//! `ARIZE_BASE_URL` excludes `ARIZE_API_HOST`/`_SCHEME`/`_PORT`); setting
//! more than one is an [`ConfigError::Conflict`] naming the variables. As
//! in Arize's Python SDK, a region, single host or base domain replaces
//! `ARIZE_API_HOST`. Unlike the Python SDK, an unrecognised
//! `ARIZE_REQUEST_VERIFY` value is an error rather than "false", so a typo
//! cannot switch certificate checks off.
//!
//! # Proxies
//!
//! `ARIZE_PROXY_URL` (like [`ClientBuilder::proxy`]) carries all traffic.
//! Otherwise the standard variables apply by the scheme of the base URL, as
//! in curl, Python's requests and reqwest: `HTTPS_PROXY` for an `https://`
//! base URL, `HTTP_PROXY` for an `http://` one (never the other way round),
//! `ALL_PROXY` for either when the scheme's own variable is unset, and hosts
//! matching `NO_PROXY` go direct. When `REQUEST_METHOD` is set the process is
//! a CGI script, where `HTTP_PROXY` can come from a request's `Proxy:` header
//! ("httpoxy"), so `HTTP_PROXY` and `http_proxy` are ignored. With
//! [`from_env`](ClientBuilder::from_env) these variables are read only
//! through the lookup (reqwest's own reading of the process environment is
//! switched off, unless a [`reqwest_client_builder`](ClientBuilder::reqwest_client_builder)
//! is given); a builder made without it leaves proxies to reqwest, which
//! reads the same variables by the same rules (and ignores all of them under
//! CGI).
//!
//! # Redirects
//!
//! The Arize API does not redirect, and the client never follows a
//! redirect: a 3xx answer is an [`Error::Redirect`] naming the status and
//! the `Location`, never retried. (Following one would send the request
//! body and headers wherever `Location` points, and a `301` to a POST would
//! turn a create into a GET.) A client with an `https://` base URL also
//! refuses any request that is not https (reqwest's `https_only`).

//!
//! # Where things are
//!
//! One job per file: this module holds the builder and its checks;
//! `env.rs` reads Arize's environment variables, `endpoint.rs` resolves
//! the base URL (regions, URLs), `headers.rs` builds the headers every
//! request carries (the key among them), `http_client.rs` builds the
//! `reqwest::Client` (proxy, TLS, timeouts). The result is a `Config`,
//! from which the client's executor is made.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::HeaderMap;

use crate::error::{ConfigError, Error};
use crate::retry::{Clock, RetryPolicy, Sleeper, TokioClock, TokioSleeper};

mod endpoint;
mod env;
mod headers;
mod http_client;
#[cfg(test)]
mod tests;

pub use endpoint::{ParseRegionError, Region};
pub(crate) use headers::ApiKey;

use endpoint::Endpoint;
use http_client::TlsVerify;

/// A proxy URL and the setting it came from.
type ProxySetting = Option<(String, &'static str)>;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.arize.com";
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default attempt timeout.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default deadline of a call.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// The default cap on a response body: 4 MiB, far more than the largest
/// page the API sends (100 bindings, about 40 KiB).
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 4 * 1024 * 1024;

/// Whether the client logs Arize's pre-release warning.
///
/// The role-binding endpoints are in beta. Like Arize's own SDKs, the
/// client emits one `tracing` warning per operation per process the first
/// time the operation is used (the library itself prints nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BetaWarning {
    /// Warn once per operation per process (the default).
    #[default]
    Once,
    /// Never warn.
    Off,
}

/// A checked configuration: what [`ClientBuilder`] hands over to build a
/// client.
pub(crate) struct Config {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) beta_warning: BetaWarning,
    pub(crate) max_response_body: u64,
}

/// Builds a [`Client`](crate::Client). Every setting has a default except the API key;
/// [`build`](Self::build) never panics.
///
/// ```
/// use std::time::Duration;
/// use arize_role_bindings::{Client, Region, RetryPolicy};
///
/// let client = Client::builder()
///     .api_key("my-key")
///     .region(Region::EuWest1a)
///     .connect_timeout(Duration::from_secs(5))
///     .attempt_timeout(Duration::from_secs(10))
///     .deadline(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::standard().max_attempts(4))
///     .default_header("x-team", "platform")
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.eu-west-1a.arize.com");
/// # Ok::<(), arize_role_bindings::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    endpoint: Endpoint,
    endpoint_setting: &'static str,
    connect_timeout: Option<Duration>,
    attempt_timeout: Duration,
    deadline: Duration,
    retry_policy: RetryPolicy,
    default_headers: Vec<(String, String)>,
    user_agent: Option<String>,
    reqwest_client: Option<reqwest::Client>,
    reqwest_builder: Option<reqwest::ClientBuilder>,
    sleeper: Arc<dyn Sleeper>,
    clock: Arc<dyn Clock>,
    beta_warning: BetaWarning,
    /// For all traffic: `ClientBuilder::proxy` or `ARIZE_PROXY_URL`.
    proxy: ProxySetting,
    /// For https base URLs only (`HTTPS_PROXY`, `ALL_PROXY`).
    https_proxy: ProxySetting,
    /// For http base URLs only (`HTTP_PROXY`, `ALL_PROXY`).
    http_proxy: ProxySetting,
    no_proxy: Option<String>,
    /// `from_env` read the proxy variables: reqwest does not read them again.
    proxy_env_read: bool,
    ca_bundle: Option<(PathBuf, &'static str)>,
    tls_verify: (TlsVerify, &'static str),
    max_response_body: u64,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("endpoint", &self.endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("retry_policy", &self.retry_policy)
            .field("default_headers", &self.default_headers)
            .field("user_agent", &self.user_agent)
            .field("custom_reqwest_client", &self.reqwest_client.is_some())
            .field("sleeper", &self.sleeper)
            .field("clock", &self.clock)
            .field("beta_warning", &self.beta_warning)
            .field("proxy", &self.proxy.as_ref().map(|(_, from)| from))
            .field(
                "https_proxy",
                &self.https_proxy.as_ref().map(|(_, from)| from),
            )
            .field(
                "http_proxy",
                &self.http_proxy.as_ref().map(|(_, from)| from),
            )
            .field("ca_bundle", &self.ca_bundle)
            .field("tls_verify", &self.tls_verify.0)
            .field("max_response_body", &self.max_response_body)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with every default and no API key.
    pub fn new() -> Self {
        Self {
            api_key: None,
            endpoint: Endpoint::Default,
            endpoint_setting: "the default base URL",
            connect_timeout: None,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            retry_policy: RetryPolicy::standard(),
            default_headers: Vec::new(),
            user_agent: None,
            reqwest_client: None,
            reqwest_builder: None,
            sleeper: Arc::new(TokioSleeper),
            clock: Arc::new(TokioClock),
            beta_warning: BetaWarning::Once,
            proxy: None,
            https_proxy: None,
            http_proxy: None,
            no_proxy: None,
            proxy_env_read: false,
            ca_bundle: None,
            tls_verify: (TlsVerify::Verify, "the default"),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            allow_insecure_http: false,
        }
    }

    /// The API key, sent as `Authorization: Bearer <key>` (a header marked
    /// sensitive). It never appears in `Debug` output, logs or errors.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey(key.into()));
        self
    }

    /// The API's base URL, e.g. `https://api.arize.com` or a test server's
    /// `http://127.0.0.1:1234`. Replaces any [`region`](Self::region).
    /// Checked by [`build`](Self::build). Takes a `&str`, a `String` or a
    /// `url::Url` (`reqwest::Url`).
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.endpoint = Endpoint::Url(url.as_ref().to_owned());
        self.endpoint_setting = "ClientBuilder::base_url";
        self
    }

    /// Use a region's host. Replaces any [`base_url`](Self::base_url).
    pub fn region(mut self, region: Region) -> Self {
        self.endpoint = Endpoint::Region(region);
        self.endpoint_setting = "ClientBuilder::region";
        self
    }

    /// The timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The timeout of one attempt, response body included (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The deadline of one call across all attempts and waits (default
    /// 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The retry policy (default [`RetryPolicy::standard`]: 3 attempts in
    /// total).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// A header sent with every request. Checked by [`build`](Self::build):
    /// names and values must be valid HTTP (no CR or LF), and the headers
    /// the client manages (`authorization`, `user-agent`, the `sdk-*`
    /// identity headers) cannot be set this way.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent` (default `arize-role-bindings/<version> (rust <rustc version>)`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Start from this `reqwest::ClientBuilder` (for proxies, TLS, pool
    /// settings...). The client adds its headers and connect timeout to it,
    /// and sets its redirect policy to "none" (and `https_only` for an
    /// `https://` base URL): see the [module docs](self#redirects).
    pub fn reqwest_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.reqwest_builder = Some(builder);
        self
    }

    /// Use this `reqwest::Client` as it is.
    ///
    /// A finished `reqwest::Client` cannot be given more headers, so it
    /// must already send `Authorization` (and ideally the identity headers:
    /// see [`headers`](Self::headers)). Combining it with settings that need
    /// to change the client (API key, default headers, user agent, connect
    /// timeout, proxy, CA bundle, TLS verification) is a
    /// [`ConfigError::Conflict`]. Prefer
    /// [`reqwest_client_builder`](Self::reqwest_client_builder): a finished
    /// client also keeps its own redirect policy (reqwest's default follows
    /// up to 10 redirects; build it with
    /// `redirect(reqwest::redirect::Policy::none())`).
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest_client = Some(client);
        self
    }

    /// How the client waits between attempts (default
    /// [`TokioSleeper`]); tests inject one that records delays.
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// How the client tells the time for deadlines, timings and the shared
    /// pause (default [`TokioClock`]). Inject one together with a
    /// [`sleeper`](Self::sleeper) that advances it, so that a test's
    /// instant waits still count as time passing.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Whether to log Arize's pre-release warning (default
    /// [`BetaWarning::Once`]).
    pub fn beta_warning(mut self, warning: BetaWarning) -> Self {
        self.beta_warning = warning;
        self
    }

    /// Send every request, http and https, through this proxy URL (as
    /// `ARIZE_PROXY_URL`; replaces the proxies `from_env` found).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some((url.into(), "ClientBuilder::proxy"));
        self
    }

    /// Trust the CA certificates in this PEM file, in addition to the
    /// system roots.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some((path.into(), "ClientBuilder::ca_bundle"));
        self
    }

    /// The largest response body the client accepts, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`], 4 MiB). A larger body is refused
    /// with [`Error::ResponseTooLarge`] without being read into memory: at
    /// once when its `Content-Length` says so, otherwise as soon as it
    /// passes the limit. Zero is rejected by [`build`](Self::build).
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Allow a plain `http://` base URL to a host other than this machine.
    ///
    /// By default [`build`](Self::build) refuses one with
    /// [`ConfigError::InsecureHttp`]: the API key would travel unencrypted.
    /// `http://` to `localhost`, `127.0.0.0/8` or `::1` (a test server, a
    /// local proxy) is always allowed. `ARIZE_API_SCHEME=http` in
    /// [`from_env`](Self::from_env) opts in too.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Do not verify TLS certificates. Dangerous: only for test setups.
    pub fn danger_accept_invalid_certs(mut self) -> Self {
        self.tls_verify = (
            TlsVerify::AcceptInvalid,
            "ClientBuilder::danger_accept_invalid_certs",
        );
        self
    }

    /// The headers the client sends with every request: `Authorization`
    /// (marked sensitive), the identity headers `sdk-language: rust`,
    /// `sdk-version`, `language-version`, `sdk-package-name`, the user agent
    /// and the [default headers](Self::default_header). Useful to build a
    /// `reqwest::Client` for [`reqwest_client`](Self::reqwest_client).
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingApiKey`], [`ConfigError::MalformedApiKey`] or
    /// [`ValidationError::InvalidHeader`](crate::ValidationError::InvalidHeader).
    pub fn headers(&self) -> Result<HeaderMap, Error> {
        let key = self.api_key.as_ref().ok_or(ConfigError::MissingApiKey)?;
        self.header_map(Some(key))
    }

    /// Checks every setting and builds the HTTP client: what
    /// [`build`](Self::build) does before making the client.
    pub(crate) fn finish(mut self) -> Result<Config, Error> {
        let base_url = self.resolved_base_url()?;
        crate::limits::check_scheme(&base_url, self.allow_insecure_http, self.endpoint_setting)?;
        if self.max_response_body == 0 {
            return Err(ConfigError::Malformed {
                setting: "ClientBuilder::max_response_body",
                value: "0".into(),
                expected: "expected a limit of at least 1 byte".into(),
            }
            .into());
        }
        if self.retry_policy.attempts() == 0 {
            return Err(ConfigError::Malformed {
                setting: "RetryPolicy::max_attempts",
                value: "0".into(),
                expected: "expected at least 1: it counts every attempt, the first included \
                           (1 = no retries; RetryPolicy::none())"
                    .into(),
            }
            .into());
        }
        for (setting, value) in [
            ("ClientBuilder::attempt_timeout", Some(self.attempt_timeout)),
            ("ClientBuilder::deadline", Some(self.deadline)),
            ("ClientBuilder::connect_timeout", self.connect_timeout),
        ] {
            if value == Some(Duration::ZERO) {
                return Err(ConfigError::Malformed {
                    setting,
                    value: "0s".into(),
                    expected: "expected a duration greater than zero".into(),
                }
                .into());
            }
        }

        let http = self.http_client(&base_url)?;
        Ok(Config {
            base_url,
            http,
            api_key: self.api_key,
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            retry_policy: self.retry_policy,
            sleeper: self.sleeper,
            clock: self.clock,
            beta_warning: self.beta_warning,
            max_response_body: self.max_response_body,
        })
    }
}
