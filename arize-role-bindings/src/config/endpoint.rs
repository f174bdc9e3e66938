//! Where requests go: Arize's regions and the base URL.

use std::fmt;
use std::str::FromStr;

use crate::error::{ConfigError, Error};

use super::{ClientBuilder, DEFAULT_BASE_URL};

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

/// Where the base URL comes from.
#[derive(Clone)]
pub(super) enum Endpoint {
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

impl ClientBuilder {
    pub(super) fn resolved_base_url(&self) -> Result<String, Error> {
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
}
