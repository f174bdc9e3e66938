//! Turning what the generated client returns into [`Error`]: the mapping
//! of its errors, undocumented statuses, problem bodies that are not
//! problems, and the redaction of the API key from anything that came from
//! the network.

use std::time::Duration;

use arize_api::types as wire;
use http::{HeaderMap, StatusCode};

use crate::config::ApiKey;
use crate::error::{Error, Problem, TransportPhase, ValidationError};

/// The most of an unexpected error body read to look for a problem. (A
/// success body is read whole: the client's `max_response_body` cap, applied
/// to every response by `arize_api::with_response_body_limit`, bounds it.)
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The length of a body excerpt in an error, in characters.
const EXCERPT_CHARS: usize = 256;

/// What a generated call returns.
pub(crate) type ApiResult<T> = Result<arize_api::ResponseValue<T>, arize_api::Error<wire::Problem>>;

/// How the body of a 2xx status the API document does not list (a 200
/// instead of a 201, say) is read: decoded as JSON, or ignored for an
/// operation without content.
pub(crate) type DecodeBody<T> = fn(&[u8]) -> Result<T, serde_json::Error>;

/// Maps the generated client's error. An undocumented 2xx is decoded
/// with `decode` (hence `Ok`). `status` is the status of the response, when
/// one arrived, and `error_headers` its headers when that status is not a
/// success.
pub(crate) async fn map_error<T>(
    error: arize_api::Error<wire::Problem>,
    status: Option<StatusCode>,
    error_headers: Option<HeaderMap>,
    key: Option<&ApiKey>,
    decode: DecodeBody<T>,
) -> Result<(T, StatusCode), Error> {
    Err(match error {
        arize_api::Error::ErrorResponse(value) => {
            let status = value.status();
            let retry_after = parse_retry_after(value.headers());
            Error::api(
                status,
                problem_from_wire(value.into_inner(), status, key),
                retry_after,
            )
        }
        arize_api::Error::UnexpectedResponse(response) => {
            return unexpected_response(response, key, decode).await;
        }
        arize_api::Error::CommunicationError(e) => from_reqwest(e),
        arize_api::Error::ResponseBodyError(e) => crate::limits::body_error(e),
        arize_api::Error::InvalidUpgrade(e) => Error::Transport {
            phase: TransportPhase::AfterSend,
            source: Box::new(e),
        },
        arize_api::Error::InvalidResponsePayload(body, e) => match status {
            // An error status whose body is not a problem document (a
            // proxy's HTML page, an empty 429): the status decides, so
            // that it is seen and retried as such.
            Some(status) if !status.is_success() => Error::api(
                status,
                status_line_problem(status, &body, key),
                error_headers.as_ref().and_then(parse_retry_after),
            ),
            status => Error::Decode {
                status,
                excerpt: excerpt(&body, key),
                source: Box::new(e),
            },
        },
        arize_api::Error::InvalidRequest(reason) | arize_api::Error::Custom(reason) => {
            ValidationError::InvalidRequest { reason }.into()
        }
    })
}

/// Maps a `reqwest` error from sending a request.
fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_builder() {
        return ValidationError::InvalidRequest {
            reason: e.to_string(),
        }
        .into();
    }
    let phase = if e.is_connect() {
        TransportPhase::Connect
    } else {
        TransportPhase::AfterSend
    };
    Error::Transport {
        phase,
        source: Box::new(e),
    }
}

/// A status the API document does not list for the operation (any 5xx,
/// 408, an unexpected 2xx...).
async fn unexpected_response<T>(
    mut response: reqwest::Response,
    key: Option<&ApiKey>,
    decode: DecodeBody<T>,
) -> Result<(T, StatusCode), Error> {
    let status = response.status();
    if status.is_success() {
        let body = response.bytes().await.map_err(crate::limits::body_error)?;
        return decode(&body)
            .map(|value| (value, status))
            .map_err(|e| Error::Decode {
                status: Some(status),
                excerpt: excerpt(&body, key),
                source: Box::new(e),
            });
    }
    if status.is_redirection() {
        return Err(redirect(status, response.headers()));
    }
    let retry_after = parse_retry_after(response.headers());
    let mut body = Vec::new();
    // The status is known; a broken error body ends the read, nothing more.
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ERROR_BODY_LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    let problem = match serde_json::from_slice::<Problem>(&body) {
        Ok(p) if !p.title.is_empty() => redact_problem(p, key),
        _ => status_line_problem(status, &body, key),
    };
    Err(Error::api(status, problem, retry_after))
}

/// A 3xx answer: never followed (the HTTP client's redirect policy is
/// "none"), reported with its `Location` (credentials removed).
fn redirect(status: StatusCode, headers: &HeaderMap) -> Error {
    let location = headers
        .get(http::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|l| crate::limits::without_userinfo(&l).into_owned());
    Error::Redirect { status, location }
}

/// A problem built from the status line, with the start of a body that is
/// not a problem document as its detail.
fn status_line_problem(status: StatusCode, body: &[u8], key: Option<&ApiKey>) -> Problem {
    let title = status.canonical_reason().unwrap_or("HTTP error").to_owned();
    let mut problem = Problem::new(status.as_u16(), title);
    let text = excerpt(body, key);
    if !text.trim().is_empty() {
        problem.detail = Some(text);
    }
    problem
}

fn problem_from_wire(p: wire::Problem, status: StatusCode, key: Option<&ApiKey>) -> Problem {
    redact_problem(
        Problem {
            type_: p.type_,
            title: p.title,
            status: u16::try_from(p.status).unwrap_or(status.as_u16()),
            detail: p.detail,
            instance: p.instance,
        },
        key,
    )
}

fn redact_problem(mut p: Problem, key: Option<&ApiKey>) -> Problem {
    if let Some(key) = key {
        p.title = redact(p.title, key);
        p.type_ = p.type_.map(|s| redact(s, key));
        p.detail = p.detail.map(|s| redact(s, key));
        p.instance = p.instance.map(|s| redact(s, key));
    }
    p
}

/// Removes the API key from text that came from the network (a server that
/// echoes request headers must not leak the key into an error message).
fn redact(text: String, key: &ApiKey) -> String {
    let secret = key.expose();
    if secret.is_empty() || !text.contains(secret) {
        return text;
    }
    text.replace(secret, "<redacted>")
}

/// The start of a body, for an error message: at most [`EXCERPT_CHARS`]
/// characters, the key redacted.
fn excerpt(body: &[u8], key: Option<&ApiKey>) -> String {
    let text = String::from_utf8_lossy(body).into_owned();
    let text = match key {
        Some(key) => redact(text, key),
        None => text,
    };
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `Retry-After` as a number of seconds (the form Arize uses).
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn retry_after_is_parsed_as_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn excerpts_are_short_and_redacted() {
        let key = ApiKey::new("sekret-key-123".into());
        let body = format!("{{\"echo\":\"Bearer sekret-key-123\"}}{}", "x".repeat(1000));
        let text = excerpt(body.as_bytes(), Some(&key));
        assert!(!text.contains("sekret-key-123"), "{text}");
        assert!(text.contains("<redacted>"));
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
        // Invalid UTF-8 does not panic.
        assert_eq!(excerpt(&[0xff, b'a'], None), "\u{fffd}a");
    }
}
