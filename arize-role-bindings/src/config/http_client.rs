//! The `reqwest::Client`: given as it is, or built with the headers,
//! connect timeout, proxy and TLS settings.

use crate::error::{ConfigError, Error};

use super::{ClientBuilder, DEFAULT_CONNECT_TIMEOUT, ProxySetting};

/// Whether to verify TLS certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TlsVerify {
    Verify,
    AcceptInvalid,
}

impl ClientBuilder {
    /// The HTTP client: the caller's own (refusing settings it cannot
    /// take), or one built from the settings.
    pub(super) fn http_client(&mut self, base_url: &str) -> Result<reqwest::Client, Error> {
        Ok(match &self.reqwest_client {
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
                self.build_http(base, base_url)?
            }
        })
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
