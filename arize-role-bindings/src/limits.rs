//! Limits on where the client sends the key and on what it accepts back:
//! plain `http://` only to this machine unless the user opts in, a cap on
//! response bodies, and URLs shown in errors without their credentials.

use std::borrow::Cow;
use std::net::IpAddr;

use http::StatusCode;

use crate::error::{ConfigError, Error, TransportPhase};

/// Refuses a plain-`http` base URL to a host other than this machine,
/// unless `allowed`.
pub(crate) fn check_scheme(
    base_url: &str,
    allowed: bool,
    setting: &'static str,
) -> Result<(), ConfigError> {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        // `resolved_base_url` has already checked the URL.
        return Ok(());
    };
    if allowed || url.scheme() != "http" || is_loopback(&url) {
        return Ok(());
    }
    Err(ConfigError::InsecureHttp {
        setting,
        url: without_userinfo(base_url).into_owned(),
    })
}

/// `url` with any userinfo (`user:password@`) replaced by `***`, for
/// error messages and `Debug` output. Works on text that does not parse as
/// a URL too (a proxy URL with a bad port, say): the authority is whatever
/// follows `scheme://` (or the start) up to the first `/`, `?` or `#`, and
/// everything in it up to its last `@` is userinfo.
pub(crate) fn without_userinfo(url: &str) -> Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => Cow::Owned(format!("{}***{}", &url[..start], &rest[at..])),
        None => Cow::Borrowed(url),
    }
}

/// `localhost`, `127.0.0.0/8` or `::1` (also as `::ffff:127.x.y.z`).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Maps an error from reading a response body: [`Error::ResponseTooLarge`]
/// when the body passed the limit, otherwise a transport failure after
/// sending.
pub(crate) fn body_error(error: reqwest::Error) -> Error {
    match too_large(&error) {
        Some(found) => Error::ResponseTooLarge {
            status: StatusCode::from_u16(found.status).ok(),
            limit: found.limit,
        },
        None => Error::Transport {
            phase: TransportPhase::AfterSend,
            source: Box::new(error),
        },
    }
}

/// The [`arize_api::ResponseTooLarge`] in `error`'s source chain.
fn too_large<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e arize_api::ResponseTooLarge> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<arize_api::ResponseTooLarge>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn userinfo_is_replaced_in_any_text() {
        for (text, shown) in [
            (
                "http://user:secret@127.0.0.1:99999",
                "http://***@127.0.0.1:99999",
            ),
            ("https://user:pass@host/p?q#f", "https://***@host/p?q#f"),
            ("https://a@b:c@host", "https://***@host"),
            ("user:secret@proxy:3128", "***@proxy:3128"),
            (
                "https://host/path@not-userinfo",
                "https://host/path@not-userinfo",
            ),
            ("https://host", "https://host"),
            ("::not a proxy::", "::not a proxy::"),
            ("", ""),
        ] {
            assert_eq!(without_userinfo(text), shown, "{text}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for url in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:4010",
            "http://[::ffff:127.0.0.1]",
            "https://api.arize.com",
            "https://10.0.0.1",
        ] {
            assert!(check_scheme(url, false, "test").is_ok(), "{url}");
        }
        for url in [
            "http://api.arize.com",
            "http://10.0.0.1:80",
            "http://[::2]",
            "http://localhost.evil.example",
            "http://128.0.0.1",
            "http://0.0.0.0",
        ] {
            match check_scheme(url, false, "test") {
                Err(ConfigError::InsecureHttp { setting, url: u }) => {
                    assert_eq!((setting, u.as_str()), ("test", url));
                }
                other => panic!("{url}: {other:?}"),
            }
            assert!(check_scheme(url, true, "test").is_ok(), "{url}");
        }
    }
}
