//! The headers every request carries: the key (marked sensitive), the
//! identity headers and the caller's default headers.

use std::fmt;

use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::error::{ConfigError, Error, ValidationError};

use super::ClientBuilder;

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

/// The API key: kept out of `Debug`, `Display` and errors.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiKey(pub(super) String);

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

impl ClientBuilder {
    pub(super) fn header_map(&self, key: Option<&ApiKey>) -> Result<HeaderMap, Error> {
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
}
