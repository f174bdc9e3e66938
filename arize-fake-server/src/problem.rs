//! RFC 9457 problem responses (`application/problem+json`).

use arize_api::types::Problem;
use axum::body::Body;
use http::{HeaderValue, Response, StatusCode, header};

/// Base of Arize's problem type URIs.
pub(crate) const ERRORS_BASE: &str = "https://arize.com/docs/ax/rest-reference/errors";

/// The media type of every error the fake answers with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why the fake refused an operation: the HTTP status it answers with and
/// the problem's `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct Rejection {
    pub(crate) status: u16,
    pub(crate) detail: String,
}

impl Rejection {
    /// The HTTP status (400, 403, 404, 409, 422, ...).
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The human-readable detail sent in the problem body.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl Rejection {
    pub(crate) fn new(status: u16, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, detail)
    }
    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, detail)
    }
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, detail)
    }
    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(409, detail)
    }
    pub(crate) fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(422, detail)
    }
}

/// The problem `type` slug and `title` for a status, as Arize names them.
pub(crate) fn type_and_title(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("invalid-request", "Invalid request"),
        401 => ("authentication-required", "Authentication required"),
        403 => ("access-forbidden", "Access forbidden"),
        404 => ("resource-not-found", "Resource not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        408 => ("request-timeout", "Request timeout"),
        409 => ("resource-conflict", "Resource conflict"),
        413 => ("payload-too-large", "Payload too large"),
        422 => ("unprocessable-entity", "Unprocessable entity"),
        429 => ("rate-limit-exceeded", "Rate limit exceeded"),
        500 => ("internal-server-error", "Internal server error"),
        502 => ("bad-gateway", "Bad gateway"),
        503 => ("service-unavailable", "Service unavailable"),
        504 => ("gateway-timeout", "Gateway timeout"),
        s if s >= 500 => ("server-error", "Server error"),
        _ => ("invalid-request", "Request failed"),
    }
}

/// Builds the generated [`Problem`] for a status and detail.
pub(crate) fn problem(status: u16, detail: impl Into<String>) -> Problem {
    let (slug, title) = type_and_title(status);
    Problem {
        detail: Some(detail.into()),
        instance: None,
        status: i64::from(status),
        title: title.to_owned(),
        type_: Some(format!("{ERRORS_BASE}#{slug}")),
    }
}

/// Serialises a body that cannot fail to serialise (plain data structs).
pub(crate) fn to_json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

/// Any status code the fake may answer with; invalid codes become 500.
pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A complete `application/problem+json` response.
pub(crate) fn problem_response(status: u16, detail: impl Into<String>) -> Response<Body> {
    problem_response_with_type(status, detail, PROBLEM_JSON)
}

/// A problem body served with the given content type (faults use
/// `text/plain`).
pub(crate) fn problem_response_with_type(
    status: u16,
    detail: impl Into<String>,
    content_type: &'static str,
) -> Response<Body> {
    let body = to_json_bytes(&problem(status, detail));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status_code(status);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if status == 401 {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

impl Rejection {
    pub(crate) fn into_response(self) -> Response<Body> {
        problem_response(self.status, self.detail)
    }
}
