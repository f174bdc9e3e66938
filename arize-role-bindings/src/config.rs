//! Building a [`Client`]: the builder, Arize's environment variables, and
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

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::client::Client;
use crate::error::{ConfigError, Error, ValidationError};
use crate::retry::{RetryPolicy, Sleeper, TokioSleeper};

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

/// The crate's name, sent as `sdk-package-name`.
pub(crate) const PACKAGE_NAME: &str = env!("CARGO_PKG_NAME");
/// The crate's version, sent as `sdk-version`.
pub(crate) const PACKAGE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The compiler's version, sent as `language-version`.
pub(crate) const RUSTC_VERSION: &str = env!("ARIZE_RB_RUSTC_VERSION");

/// Headers the client sets itself; [`ClientBuilder::default_header`]
/// refuses them.
const MANAGED_HEADERS: &[&str] = &[
    "authorization",
    "sdk-language",
    "sdk-version",
    "language-version",
    "sdk-package-name",
    "user-agent",
];

/// An Arize region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Region {
    /// `ca-central-1a`
    CaCentral1a,
    /// `eu-west-1a`
    EuWest1a,
    /// `us-central-1a`
    UsCentral1a,
    /// `us-east-1b`
    UsEast1b,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 4] = [
        Region::CaCentral1a,
        Region::EuWest1a,
        Region::UsCentral1a,
        Region::UsEast1b,
    ];

    /// The region's name, as in `ARIZE_REGION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaCentral1a => "ca-central-1a",
            Self::EuWest1a => "eu-west-1a",
            Self::UsCentral1a => "us-central-1a",
            Self::UsEast1b => "us-east-1b",
        }
    }

    /// The region's API base URL, `https://api.<region>.arize.com`.
    pub fn base_url(self) -> String {
        format!("https://api.{}.arize.com", self.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown [`Region`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an Arize region; use one of ca-central-1a, eu-west-1a, us-central-1a, us-east-1b"
)]
pub struct ParseRegionError(String);

impl FromStr for Region {
    type Err = ParseRegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseRegionError(s.to_owned()))
    }
}

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

/// The API key: kept out of `Debug`, `Display` and errors.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    #[cfg(test)]
    pub(crate) fn new(key: String) -> Self {
        Self(key)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Where the base URL comes from.
#[derive(Clone)]
enum Endpoint {
    Default,
    Region(Region),
    Url(String),
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("Default"),
            Self::Region(region) => f.debug_tuple("Region").field(region).finish(),
            // A base URL with credentials is refused, but not before Debug.
            Self::Url(url) => f
                .debug_tuple("Url")
                .field(&crate::limits::without_userinfo(url))
                .finish(),
        }
    }
}

/// A proxy URL and the setting it came from.
type ProxySetting = Option<(String, &'static str)>;

/// Whether to verify TLS certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TlsVerify {
    Verify,
    AcceptInvalid,
}

/// Builds a [`Client`]. Every setting has a default except the API key;
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

    /// A builder configured from Arize's environment variables (see the
    /// [module docs](self)). Builder calls made afterwards override them.
    ///
    /// # Errors
    ///
    /// [`Error::Config`]: `ARIZE_API_KEY` missing, conflicting endpoint
    /// variables, or a malformed value — each naming the variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through
    /// `lookup` instead of the process environment (for tests, or
    /// configuration kept elsewhere).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use arize_role_bindings::ClientBuilder;
    ///
    /// let env = HashMap::from([
    ///     ("ARIZE_API_KEY", "key"),
    ///     ("ARIZE_REGION", "us-east-1b"),
    /// ]);
    /// let client = ClientBuilder::from_env_with(|k| env.get(k).map(|v| v.to_string()))?.build()?;
    /// assert_eq!(client.base_url(), "https://api.us-east-1b.arize.com");
    /// # Ok::<(), arize_role_bindings::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_env_with<F>(lookup: F) -> Result<Self, Error>
    where
        F: Fn(&str) -> Option<String>,
    {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut builder = Self::new();

        let key = var("ARIZE_API_KEY").ok_or(ConfigError::MissingApiKey)?;
        builder.api_key = Some(ApiKey(key));

        let (url, setting) = resolve_endpoint(&var)?;
        if let Some(url) = url {
            builder.endpoint = Endpoint::Url(url);
            builder.endpoint_setting = setting;
        }
        // Choosing the scheme `http` explicitly is the opt-in to plain http.
        if var("ARIZE_API_SCHEME").is_some_and(|s| s.eq_ignore_ascii_case("http")) {
            builder.allow_insecure_http = true;
        }

        // Proxies: see the module docs.
        let first = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|&name| var(name).map(|value| (value, name)))
        };
        builder.proxy = first(&["ARIZE_PROXY_URL"]);
        builder.https_proxy = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]);
        builder.http_proxy = if var("REQUEST_METHOD").is_some() {
            // CGI: HTTP_PROXY may come from the request's `Proxy:` header.
            first(&["ALL_PROXY", "all_proxy"])
        } else {
            first(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
        };
        builder.no_proxy = var("NO_PROXY").or_else(|| var("no_proxy"));
        builder.proxy_env_read = true;
        for name in ["ARIZE_SSL_CA_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"] {
            if let Some(path) = var(name) {
                builder.ca_bundle = Some((PathBuf::from(path), name));
                break;
            }
        }
        if let Some(value) = var("ARIZE_REQUEST_VERIFY") {
            let verify = parse_bool(&value).ok_or_else(|| ConfigError::Malformed {
                setting: "ARIZE_REQUEST_VERIFY",
                value: value.clone(),
                expected: "expected true or false (also 1/0, yes/no, on/off)".into(),
            })?;
            builder.tls_verify = if verify {
                (TlsVerify::Verify, "ARIZE_REQUEST_VERIFY")
            } else {
                (TlsVerify::AcceptInvalid, "ARIZE_REQUEST_VERIFY")
            };
        }
        Ok(builder)
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
    /// [`ValidationError::InvalidHeader`].
    pub fn headers(&self) -> Result<HeaderMap, Error> {
        let key = self.api_key.as_ref().ok_or(ConfigError::MissingApiKey)?;
        self.header_map(Some(key))
    }

    fn header_map(&self, key: Option<&ApiKey>) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::with_capacity(6 + self.default_headers.len());
        if let Some(key) = key {
            if key.expose().trim().is_empty() {
                return Err(ConfigError::MissingApiKey.into());
            }
            let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose()))
                .map_err(|_| ConfigError::MalformedApiKey)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        headers.insert(
            HeaderName::from_static("sdk-language"),
            HeaderValue::from_static("rust"),
        );
        headers.insert(
            HeaderName::from_static("sdk-version"),
            HeaderValue::from_static(PACKAGE_VERSION),
        );
        headers.insert(
            HeaderName::from_static("language-version"),
            HeaderValue::from_static(RUSTC_VERSION),
        );
        headers.insert(
            HeaderName::from_static("sdk-package-name"),
            HeaderValue::from_static(PACKAGE_NAME),
        );
        let user_agent = match &self.user_agent {
            Some(ua) => {
                HeaderValue::try_from(ua.as_str()).map_err(|_| ValidationError::InvalidHeader {
                    name: "user-agent".into(),
                    reason: "the value contains characters not allowed in a header (CR, LF or \
                             other control characters)"
                        .into(),
                })?
            }
            None => HeaderValue::try_from(format!(
                "{PACKAGE_NAME}/{PACKAGE_VERSION} (rust {RUSTC_VERSION})"
            ))
            .map_err(|_| ValidationError::InvalidHeader {
                name: "user-agent".into(),
                reason: "the default user agent is not a valid header value".into(),
            })?,
        };
        headers.insert(USER_AGENT, user_agent);
        for (name, value) in &self.default_headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ValidationError::InvalidHeader {
                    name: name.clone(),
                    reason: "not a valid header name".into(),
                }
            })?;
            if MANAGED_HEADERS.contains(&header.as_str()) {
                return Err(ValidationError::InvalidHeader {
                    name: name.clone(),
                    reason: "the client sets this header itself; use api_key or user_agent".into(),
                }
                .into());
            }
            let value = HeaderValue::try_from(value.as_str()).map_err(|_| {
                ValidationError::InvalidHeader {
                    name: name.clone(),
                    reason: "the value contains characters not allowed in a header (CR, LF or \
                             other control characters)"
                        .into(),
                }
            })?;
            headers.append(header, value);
        }
        Ok(headers)
    }

    fn resolved_base_url(&self) -> Result<String, Error> {
        let raw = match &self.endpoint {
            Endpoint::Default => DEFAULT_BASE_URL.to_owned(),
            Endpoint::Region(region) => region.base_url(),
            Endpoint::Url(url) => url.clone(),
        };
        let malformed = |expected: &'static str| ConfigError::Malformed {
            setting: self.endpoint_setting,
            value: crate::limits::without_userinfo(&raw).into_owned(),
            expected: expected.into(),
        };
        let url = reqwest::Url::parse(raw.trim())
            .map_err(|_| malformed("expected an absolute URL such as https://api.arize.com"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(malformed("expected an http or https URL").into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(malformed("expected a URL with a host").into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(malformed("the URL must not carry credentials; use api_key").into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(malformed("the URL must not have a query or fragment").into());
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// Builds the client. Never panics.
    ///
    /// # Errors
    ///
    /// - [`ConfigError::MissingApiKey`] / [`ConfigError::MalformedApiKey`];
    /// - [`ConfigError::Malformed`] for a bad base URL, proxy, zero timeout,
    ///   `max_attempts(0)` or `max_response_body(0)`;
    /// - [`ConfigError::InsecureHttp`] for a plain `http://` base URL to a
    ///   host other than this machine, unless
    ///   [`allow_insecure_http`](Self::allow_insecure_http);
    /// - [`ConfigError::Conflict`] for [`reqwest_client`](Self::reqwest_client)
    ///   combined with settings it cannot take;
    /// - [`ConfigError::File`] for an unreadable CA bundle;
    /// - [`ValidationError::InvalidHeader`] for a bad default header or user
    ///   agent;
    /// - [`ConfigError::HttpClient`] when reqwest cannot build its client.
    pub fn build(mut self) -> Result<Client, Error> {
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

        let http = match &self.reqwest_client {
            Some(client) => {
                let mut conflicting = Vec::new();
                if self.api_key.is_some() {
                    conflicting.push("api_key (or ARIZE_API_KEY)");
                }
                if !self.default_headers.is_empty() {
                    conflicting.push("default_header");
                }
                if self.user_agent.is_some() {
                    conflicting.push("user_agent");
                }
                if self.connect_timeout.is_some() {
                    conflicting.push("connect_timeout");
                }
                if self.proxy.is_some() || self.https_proxy.is_some() || self.http_proxy.is_some() {
                    conflicting.push("proxy");
                }
                if self.ca_bundle.is_some() {
                    conflicting.push("ca_bundle");
                }
                if self.tls_verify.0 != TlsVerify::Verify {
                    conflicting.push("danger_accept_invalid_certs (or ARIZE_REQUEST_VERIFY)");
                }
                if self.reqwest_builder.is_some() {
                    conflicting.push("reqwest_client_builder");
                }
                if !conflicting.is_empty() {
                    conflicting.insert(0, "reqwest_client");
                    return Err(ConfigError::Conflict {
                        settings: conflicting,
                        hint: "a finished reqwest::Client cannot take more settings; configure \
                               it yourself (ClientBuilder::headers gives the headers to send), or \
                               pass a reqwest::ClientBuilder to reqwest_client_builder instead",
                    }
                    .into());
                }
                client.clone()
            }
            None => {
                let base = self.reqwest_builder.take();
                self.build_http(base, &base_url)?
            }
        };

        Ok(Client::from_parts(crate::client::Parts {
            api: arize_api::Client::new_with_client(&base_url, http),
            base_url,
            api_key: self.api_key,
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            retry_policy: self.retry_policy,
            sleeper: self.sleeper,
            beta_warning: self.beta_warning,
            max_response_body: self.max_response_body,
            pause: Default::default(),
        }))
    }

    fn build_http(
        &self,
        base: Option<reqwest::ClientBuilder>,
        base_url: &str,
    ) -> Result<reqwest::Client, Error> {
        let key = self.api_key.as_ref().ok_or(ConfigError::MissingApiKey)?;
        let headers = self.header_map(Some(key))?;
        let custom = base.is_some();
        let mut http = base.unwrap_or_default();
        http = http
            .default_headers(headers)
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            // Never follow a redirect: a 3xx is an error (see the module docs).
            .redirect(reqwest::redirect::Policy::none());
        if base_url.starts_with("https://") {
            http = http.https_only(true);
        }
        if self.proxy_env_read && !custom {
            // The environment was read through `from_env`'s lookup: reqwest
            // must not read the process environment again on its own.
            http = http.no_proxy();
        }
        http = self.apply_transport(http)?;
        crate::tls::install_crypto_provider();
        http.build().map_err(|e| {
            ConfigError::HttpClient {
                source: Box::new(e),
            }
            .into()
        })
    }

    fn apply_transport(
        &self,
        mut http: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        type Intercept = fn(&str) -> reqwest::Result<reqwest::Proxy>;
        let proxies: [(&ProxySetting, Intercept); 3] = [
            (&self.proxy, |url| reqwest::Proxy::all(url)),
            (&self.https_proxy, |url| reqwest::Proxy::https(url)),
            (&self.http_proxy, |url| reqwest::Proxy::http(url)),
        ];
        // A proxy for all traffic replaces the per-scheme ones.
        let count = if self.proxy.is_some() { 1 } else { 3 };
        for (setting, intercept) in proxies.into_iter().take(count) {
            let Some((url, setting)) = setting else {
                continue;
            };
            let proxy = intercept(url.as_str()).map_err(|_| ConfigError::Malformed {
                setting,
                value: crate::limits::without_userinfo(url).into_owned(),
                expected: "expected a proxy URL such as http://proxy.internal:3128".into(),
            })?;
            let no_proxy = self
                .no_proxy
                .as_deref()
                .and_then(reqwest::NoProxy::from_string);
            http = http.proxy(proxy.no_proxy(no_proxy));
        }
        if let Some((path, setting)) = &self.ca_bundle {
            let file_error = |source: crate::error::BoxError| ConfigError::File {
                setting,
                path: path.clone(),
                source,
            };
            let pem = std::fs::read(path).map_err(|e| file_error(Box::new(e)))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| file_error(Box::new(e)))?;
            if certs.is_empty() {
                return Err(file_error("no certificate found in the file".into()).into());
            }
            http = http.tls_certs_merge(certs);
        }
        if self.tls_verify.0 == TlsVerify::AcceptInvalid {
            http = http.tls_danger_accept_invalid_certs(true);
        }
        Ok(http)
    }
}

/// Resolves the base URL from Arize's endpoint variables: `Ok((None, _))`
/// when none is set (the default applies).
fn resolve_endpoint(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<(Option<String>, &'static str), ConfigError> {
    const EXCLUSIVE_HINT: &str = "set only one of ARIZE_REGION, ARIZE_SINGLE_HOST/ARIZE_SINGLE_PORT, \
                                  ARIZE_BASE_DOMAIN or ARIZE_BASE_URL";
    let region = var("ARIZE_REGION");
    let single_host = var("ARIZE_SINGLE_HOST");
    let single_port = var("ARIZE_SINGLE_PORT");
    let base_domain = var("ARIZE_BASE_DOMAIN");
    let base_url = var("ARIZE_BASE_URL");
    let host = var("ARIZE_API_HOST");
    let scheme = var("ARIZE_API_SCHEME");
    let port = var("ARIZE_API_PORT");

    let mut groups = 0;
    let mut named = Vec::new();
    if region.is_some() {
        groups += 1;
        named.push("ARIZE_REGION");
    }
    if single_host.is_some() || single_port.is_some() {
        groups += 1;
        if single_host.is_some() {
            named.push("ARIZE_SINGLE_HOST");
        }
        if single_port.is_some() {
            named.push("ARIZE_SINGLE_PORT");
        }
    }
    if base_domain.is_some() {
        groups += 1;
        named.push("ARIZE_BASE_DOMAIN");
    }
    if base_url.is_some() {
        groups += 1;
        named.push("ARIZE_BASE_URL");
    }
    if groups > 1 {
        return Err(ConfigError::Conflict {
            settings: named,
            hint: EXCLUSIVE_HINT,
        });
    }

    if let Some(url) = base_url {
        let mut with = vec!["ARIZE_BASE_URL"];
        for (name, value) in [
            ("ARIZE_API_HOST", &host),
            ("ARIZE_API_SCHEME", &scheme),
            ("ARIZE_API_PORT", &port),
        ] {
            if value.is_some() {
                with.push(name);
            }
        }
        if with.len() > 1 {
            return Err(ConfigError::Conflict {
                settings: with,
                hint: "ARIZE_BASE_URL is a complete URL; drop ARIZE_API_HOST/_SCHEME/_PORT or \
                       ARIZE_BASE_URL",
            });
        }
        return Ok((Some(url), "ARIZE_BASE_URL"));
    }

    let scheme_value = match scheme {
        None => "https".to_owned(),
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            s.to_ascii_lowercase()
        }
        Some(s) => {
            return Err(ConfigError::Malformed {
                setting: "ARIZE_API_SCHEME",
                value: s,
                expected: "expected http or https".into(),
            });
        }
    };
    let parse_port = |setting: &'static str, value: Option<String>| match value {
        None => Ok(0u16),
        Some(v) => v.parse::<u16>().map_err(|_| ConfigError::Malformed {
            setting,
            value: v,
            expected: "expected a port number from 0 to 65535 (0 = the scheme's default)".into(),
        }),
    };
    let mut port_value = parse_port("ARIZE_API_PORT", port)?;
    let single_port = parse_port("ARIZE_SINGLE_PORT", single_port)?;

    let (host_value, setting): (String, &'static str) = if let Some(region) = region {
        let region = region
            .parse::<Region>()
            .map_err(|_| ConfigError::Malformed {
                setting: "ARIZE_REGION",
                value: region,
                expected: "expected one of ca-central-1a, eu-west-1a, us-central-1a, us-east-1b"
                    .into(),
            })?;
        (format!("api.{}.arize.com", region.as_str()), "ARIZE_REGION")
    } else if let Some(domain) = base_domain {
        check_host("ARIZE_BASE_DOMAIN", &domain)?;
        (format!("api.{domain}"), "ARIZE_BASE_DOMAIN")
    } else if single_host.is_some() || single_port != 0 {
        if single_port != 0 {
            port_value = single_port;
        }
        match single_host {
            Some(h) => {
                check_host("ARIZE_SINGLE_HOST", &h)?;
                (h, "ARIZE_SINGLE_HOST")
            }
            None => (
                host.clone().unwrap_or_else(|| "api.arize.com".to_owned()),
                "ARIZE_SINGLE_PORT",
            ),
        }
    } else if let Some(h) = host {
        check_host("ARIZE_API_HOST", &h)?;
        (h, "ARIZE_API_HOST")
    } else if port_value == 0 && scheme_value == "https" {
        return Ok((None, "the default base URL"));
    } else {
        (
            "api.arize.com".to_owned(),
            "ARIZE_API_SCHEME/ARIZE_API_PORT",
        )
    };
    let url = if port_value == 0 {
        format!("{scheme_value}://{host_value}")
    } else {
        format!("{scheme_value}://{host_value}:{port_value}")
    };
    Ok((Some(url), setting))
}

fn check_host(setting: &'static str, host: &str) -> Result<(), ConfigError> {
    if host.contains("://") || host.contains('/') || host.contains(char::is_whitespace) {
        return Err(ConfigError::Malformed {
            setting,
            value: crate::limits::without_userinfo(host).into_owned(),
            expected: "expected a host name without scheme or path, e.g. api.arize.com".into(),
        });
    }
    Ok(())
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::HashMap;

    use super::*;

    const KEY: &str = "ak-test-0123456789-secret";

    fn from(vars: &[(&str, &str)]) -> Result<ClientBuilder, Error> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ClientBuilder::from_env_with(|name| env.get(name).cloned())
    }

    fn url(vars: &[(&str, &str)]) -> String {
        let mut all = vec![("ARIZE_API_KEY", KEY)];
        all.extend_from_slice(vars);
        from(&all).unwrap().build().unwrap().base_url().to_owned()
    }

    fn config_error(vars: &[(&str, &str)]) -> ConfigError {
        let mut all = vec![("ARIZE_API_KEY", KEY)];
        all.extend_from_slice(vars);
        match from(&all).and_then(ClientBuilder::build) {
            Err(Error::Config(e)) => e,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn key_is_required() {
        assert!(matches!(
            from(&[]),
            Err(Error::Config(ConfigError::MissingApiKey))
        ));
        assert!(matches!(
            from(&[("ARIZE_API_KEY", "   ")]),
            Err(Error::Config(ConfigError::MissingApiKey))
        ));
        let err = ClientBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("ARIZE_API_KEY"), "{err}");
    }

    #[test]
    fn endpoint_resolution_follows_arize() {
        assert_eq!(url(&[]), "https://api.arize.com");
        assert_eq!(
            url(&[("ARIZE_REGION", "eu-west-1a")]),
            "https://api.eu-west-1a.arize.com"
        );
        assert_eq!(
            url(&[("ARIZE_REGION", "US-EAST-1B")]),
            "https://api.us-east-1b.arize.com"
        );
        // A region replaces ARIZE_API_HOST, as in the Python SDK.
        assert_eq!(
            url(&[
                ("ARIZE_REGION", "ca-central-1a"),
                ("ARIZE_API_HOST", "ignored.example")
            ]),
            "https://api.ca-central-1a.arize.com"
        );
        assert_eq!(
            url(&[("ARIZE_API_HOST", "arize.internal")]),
            "https://arize.internal"
        );
        assert_eq!(
            url(&[
                ("ARIZE_API_HOST", "localhost"),
                ("ARIZE_API_SCHEME", "HTTP"),
                ("ARIZE_API_PORT", "8080")
            ]),
            "http://localhost:8080"
        );
        assert_eq!(url(&[("ARIZE_API_PORT", "0")]), "https://api.arize.com");
        assert_eq!(url(&[("ARIZE_API_SCHEME", "http")]), "http://api.arize.com");
        assert_eq!(
            url(&[("ARIZE_SINGLE_HOST", "gateway.corp")]),
            "https://gateway.corp"
        );
        assert_eq!(
            url(&[
                ("ARIZE_SINGLE_HOST", "gateway.corp"),
                ("ARIZE_SINGLE_PORT", "8443")
            ]),
            "https://gateway.corp:8443"
        );
        assert_eq!(
            url(&[
                ("ARIZE_SINGLE_HOST", "gateway.corp"),
                ("ARIZE_API_PORT", "9000")
            ]),
            "https://gateway.corp:9000"
        );
        assert_eq!(
            url(&[("ARIZE_BASE_DOMAIN", "pc.example.com")]),
            "https://api.pc.example.com"
        );
        assert_eq!(
            url(&[("ARIZE_BASE_URL", "http://127.0.0.1:4010/")]),
            "http://127.0.0.1:4010"
        );
        // Empty values count as unset.
        assert_eq!(
            url(&[("ARIZE_REGION", ""), ("ARIZE_SINGLE_HOST", " ")]),
            "https://api.arize.com"
        );
    }

    #[test]
    fn exclusive_endpoint_settings_conflict_by_name() {
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Vars<'_>, &[&str])] = &[
            (
                &[("ARIZE_REGION", "eu-west-1a"), ("ARIZE_SINGLE_HOST", "h")],
                &["ARIZE_REGION", "ARIZE_SINGLE_HOST"],
            ),
            (
                &[
                    ("ARIZE_REGION", "eu-west-1a"),
                    ("ARIZE_BASE_DOMAIN", "d.com"),
                ],
                &["ARIZE_REGION", "ARIZE_BASE_DOMAIN"],
            ),
            (
                &[("ARIZE_SINGLE_PORT", "1"), ("ARIZE_BASE_DOMAIN", "d.com")],
                &["ARIZE_SINGLE_PORT", "ARIZE_BASE_DOMAIN"],
            ),
            (
                &[
                    ("ARIZE_REGION", "eu-west-1a"),
                    ("ARIZE_SINGLE_HOST", "h"),
                    ("ARIZE_BASE_DOMAIN", "d.com"),
                ],
                &["ARIZE_REGION", "ARIZE_SINGLE_HOST", "ARIZE_BASE_DOMAIN"],
            ),
            (
                &[
                    ("ARIZE_BASE_URL", "http://x"),
                    ("ARIZE_REGION", "eu-west-1a"),
                ],
                &["ARIZE_REGION", "ARIZE_BASE_URL"],
            ),
            (
                &[("ARIZE_BASE_URL", "http://x"), ("ARIZE_API_HOST", "y")],
                &["ARIZE_BASE_URL", "ARIZE_API_HOST"],
            ),
        ];
        for (vars, names) in cases {
            match config_error(vars) {
                ConfigError::Conflict { settings, .. } => assert_eq!(&settings, names),
                other => panic!("{vars:?}: {other:?}"),
            }
            let text = Error::Config(config_error(vars)).to_string();
            for name in *names {
                assert!(text.contains(name), "{text}");
            }
        }
    }

    #[test]
    fn malformed_values_name_the_variable() {
        let cases: &[(&str, &str)] = &[
            ("ARIZE_REGION", "mars-north-1"),
            ("ARIZE_API_SCHEME", "ftp"),
            ("ARIZE_API_PORT", "70000"),
            ("ARIZE_API_PORT", "eighty"),
            ("ARIZE_SINGLE_PORT", "-1"),
            ("ARIZE_API_HOST", "https://api.arize.com"),
            ("ARIZE_BASE_DOMAIN", "a/b"),
            ("ARIZE_REQUEST_VERIFY", "maybe"),
            ("ARIZE_BASE_URL", "not a url"),
            ("ARIZE_BASE_URL", "ftp://x"),
            ("ARIZE_PROXY_URL", "::not a proxy::"),
        ];
        for (name, value) in cases {
            let err = config_error(&[(name, value)]);
            match &err {
                ConfigError::Malformed { setting, .. } => assert_eq!(setting, name),
                other => panic!("{name}={value}: {other:?}"),
            }
            let text = err.to_string();
            assert!(text.contains(name) && text.contains(value.trim()), "{text}");
        }
    }

    #[test]
    fn proxy_ca_and_verify_follow_fallbacks() {
        let b = from(&[
            ("ARIZE_API_KEY", KEY),
            ("HTTP_PROXY", "http://http-proxy:1"),
            ("HTTPS_PROXY", "http://https-proxy:2"),
        ])
        .unwrap();
        assert_eq!(b.proxy, None);
        assert_eq!(
            b.https_proxy,
            Some(("http://https-proxy:2".to_owned(), "HTTPS_PROXY"))
        );
        assert_eq!(
            b.http_proxy,
            Some(("http://http-proxy:1".to_owned(), "HTTP_PROXY"))
        );
        assert!(b.proxy_env_read);
        // HTTP_PROXY is for http only; ALL_PROXY fills in for either scheme.
        let b = from(&[
            ("ARIZE_API_KEY", KEY),
            ("HTTP_PROXY", "http://http-proxy:1"),
            ("all_proxy", "http://all:4"),
        ])
        .unwrap();
        assert_eq!(
            b.https_proxy,
            Some(("http://all:4".to_owned(), "all_proxy"))
        );
        assert_eq!(
            b.http_proxy,
            Some(("http://http-proxy:1".to_owned(), "HTTP_PROXY"))
        );
        // In a CGI process HTTP_PROXY (either case) is ignored.
        let b = from(&[
            ("ARIZE_API_KEY", KEY),
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://attacker:1"),
            ("http_proxy", "http://attacker:2"),
        ])
        .unwrap();
        assert_eq!((b.proxy, b.https_proxy, b.http_proxy), (None, None, None));
        let b = from(&[
            ("ARIZE_API_KEY", KEY),
            ("ARIZE_PROXY_URL", "http://arize-proxy:3"),
            ("HTTPS_PROXY", "http://https-proxy:2"),
            ("NO_PROXY", "localhost"),
        ])
        .unwrap();
        assert_eq!(
            b.proxy,
            Some(("http://arize-proxy:3".to_owned(), "ARIZE_PROXY_URL"))
        );
        assert_eq!(b.no_proxy.as_deref(), Some("localhost"));
        assert!(b.build().is_ok());

        let b = from(&[
            ("ARIZE_API_KEY", KEY),
            ("SSL_CERT_FILE", "/c"),
            ("REQUESTS_CA_BUNDLE", "/b"),
        ])
        .unwrap();
        assert_eq!(
            b.ca_bundle,
            Some((PathBuf::from("/b"), "REQUESTS_CA_BUNDLE"))
        );
        match b.build() {
            Err(Error::Config(ConfigError::File { setting, .. })) => {
                assert_eq!(setting, "REQUESTS_CA_BUNDLE");
            }
            other => panic!("{other:?}"),
        }

        for (value, verify) in [("false", false), ("0", false), ("TRUE", true), ("on", true)] {
            let b = from(&[("ARIZE_API_KEY", KEY), ("ARIZE_REQUEST_VERIFY", value)]).unwrap();
            assert_eq!(b.tls_verify.0 == TlsVerify::Verify, verify, "{value}");
        }
    }

    #[test]
    fn headers_carry_key_and_identity() {
        let headers = ClientBuilder::new()
            .api_key(KEY)
            .default_header("x-team", "platform")
            .headers()
            .unwrap();
        let auth = headers.get(AUTHORIZATION).unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), format!("Bearer {KEY}"));
        assert_eq!(headers["sdk-language"], "rust");
        assert_eq!(headers["sdk-version"], PACKAGE_VERSION);
        assert_eq!(headers["sdk-package-name"], "arize-role-bindings");
        assert!(!headers["language-version"].is_empty());
        assert!(
            headers[USER_AGENT]
                .to_str()
                .unwrap()
                .starts_with("arize-role-bindings/")
        );
        assert_eq!(headers["x-team"], "platform");
        // The key is not in the Debug output of the header map.
        assert!(!format!("{headers:?}").contains(KEY));
    }

    #[test]
    fn bad_headers_are_rejected_at_build() {
        let base = || ClientBuilder::new().api_key(KEY);
        for builder in [
            base().default_header("x-evil", "a\r\nInjected: 1"),
            base().default_header("bad name", "v"),
            base().default_header("Authorization", "Bearer other"),
            base().default_header("sdk-language", "python"),
            base().user_agent("ua\n"),
        ] {
            match builder.build() {
                Err(Error::Validation(ValidationError::InvalidHeader { .. })) => {}
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            ClientBuilder::new().api_key("key\nwith newline").build(),
            Err(Error::Config(ConfigError::MalformedApiKey))
        ));
    }

    #[test]
    fn build_never_panics_and_checks_values() {
        let base = || ClientBuilder::new().api_key(KEY);
        for (builder, setting) in [
            (base().base_url("not a url"), "ClientBuilder::base_url"),
            (
                base().base_url("https://user:pw@host"),
                "ClientBuilder::base_url",
            ),
            (
                base().base_url("https://host/?q=1"),
                "ClientBuilder::base_url",
            ),
            (
                base().retry_policy(RetryPolicy::standard().max_attempts(0)),
                "RetryPolicy::max_attempts",
            ),
            (
                base().attempt_timeout(Duration::ZERO),
                "ClientBuilder::attempt_timeout",
            ),
            (base().deadline(Duration::ZERO), "ClientBuilder::deadline"),
            (
                base().connect_timeout(Duration::ZERO),
                "ClientBuilder::connect_timeout",
            ),
            (base().proxy("::"), "ClientBuilder::proxy"),
        ] {
            match builder.build() {
                Err(Error::Config(ConfigError::Malformed { setting: s, .. })) => {
                    assert_eq!(s, setting)
                }
                other => panic!("{setting}: {other:?}"),
            }
        }
        let c = base()
            .base_url("http://127.0.0.1:9/prefix/")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9/prefix");
        let c = base().region(Region::UsCentral1a).build().unwrap();
        assert_eq!(c.base_url(), "https://api.us-central-1a.arize.com");
        assert!(base().retry_policy(RetryPolicy::none()).build().is_ok());
    }

    #[test]
    fn custom_reqwest_client_conflicts_with_settings_it_cannot_take() {
        crate::install_crypto_provider();
        let http = reqwest::Client::new();
        match ClientBuilder::new()
            .api_key(KEY)
            .reqwest_client(http.clone())
            .build()
        {
            Err(Error::Config(ConfigError::Conflict { settings, .. })) => {
                assert_eq!(settings, ["reqwest_client", "api_key (or ARIZE_API_KEY)"]);
            }
            other => panic!("{other:?}"),
        }
        let client = ClientBuilder::new().reqwest_client(http).build().unwrap();
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
        // A reqwest builder keeps the client's headers.
        let client = ClientBuilder::new()
            .api_key(KEY)
            .reqwest_client_builder(reqwest::Client::builder().pool_max_idle_per_host(2))
            .build();
        assert!(client.is_ok());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = ClientBuilder::new().api_key(KEY);
        let text = format!("{builder:?}");
        assert!(!text.contains(KEY) && text.contains("<redacted>"), "{text}");
        let client = builder.build().unwrap();
        let text = format!("{client:?} {client:#?}");
        assert!(!text.contains(KEY) && text.contains("<redacted>"), "{text}");
        let env = from(&[("ARIZE_API_KEY", KEY)]).unwrap();
        assert!(!format!("{env:?}").contains(KEY));
    }
}
