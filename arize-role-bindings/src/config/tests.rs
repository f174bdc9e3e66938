//! The builder's tests: environment, endpoints, headers, HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use std::path::PathBuf;
use std::time::Duration;

use http::header::{AUTHORIZATION, USER_AGENT};

use super::headers::PACKAGE_VERSION;
use super::http_client::TlsVerify;
use super::*;
use crate::error::ValidationError;

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
