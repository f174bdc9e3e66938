//! Arize's environment variables (see the [module docs](super) for the
//! table): [`ClientBuilder::from_env`] and the endpoint variables.

use std::path::PathBuf;

use crate::error::{ConfigError, Error};

use super::ClientBuilder;
use super::endpoint::{Endpoint, Region};
use super::headers::ApiKey;
use super::http_client::TlsVerify;

impl ClientBuilder {
    /// A builder configured from Arize's environment variables (see the
    /// [module docs](super)). Builder calls made afterwards override them.
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

pub(super) fn check_host(setting: &'static str, host: &str) -> Result<(), ConfigError> {
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
