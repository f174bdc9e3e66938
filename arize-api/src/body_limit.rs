//! An optional cap on the size of response bodies, and the status of the
//! last response: see [`with_response_body_limit`].

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::BodyExt as _;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::ResponseBuilderExt as _;

/// What a scope shares with the hook.
#[derive(Debug)]
struct Scope {
    limit: u64,
    last: Mutex<Option<(reqwest::StatusCode, reqwest::header::HeaderMap)>>,
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// Runs `future` (calls of the generated client) with response bodies
/// limited to `limit` bytes, and returns its output with the status and
/// headers of the last response it received.
///
/// The generated client reads every body into memory before decoding it.
/// To bound that, the one hand-written hook of this crate, `exec` (see
/// progenitor's `ClientHooks`), wraps each response when the request runs
/// inside this function:
///
/// - a `Content-Length` above the limit is refused at once: the body is
///   dropped unread (and its connection closed);
/// - a body without a `Content-Length` (chunked) is read until it passes the
///   limit, then reading fails.
///
/// Either way reading the body fails with an error whose source chain holds
/// a [`ResponseTooLarge`] (for the generated methods:
/// [`Error::ResponseBodyError`](crate::Error::ResponseBodyError)). Outside
/// this function bodies are not limited.
///
/// The hook also records the status and headers of the last response, which
/// the generated errors do not always carry: an error status whose body is
/// not a problem document (a proxy's HTML page with a documented status
/// such as 429) comes back as
/// [`Error::InvalidResponsePayload`](crate::Error::InvalidResponsePayload),
/// without its status.
///
/// ```no_run
/// # async fn demo(client: arize_api::Client) {
/// let id = arize_api::types::Id("Um9sZUJpbmRpbmc6MTphQmNE".into());
/// let observed =
///     arize_api::with_response_body_limit(4 * 1024 * 1024, client.get_role_binding(&id)).await;
/// if let Err(arize_api::Error::InvalidResponsePayload(..)) = &observed.output {
///     println!("undecodable answer with status {:?}", observed.status());
/// }
/// # }
/// ```
pub async fn with_response_body_limit<F: Future>(limit: u64, future: F) -> Observed<F::Output> {
    let scope = Arc::new(Scope {
        limit,
        last: Mutex::new(None),
    });
    let output = SCOPE.scope(Arc::clone(&scope), future).await;
    let last = scope
        .last
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    Observed { output, last }
}

/// The output of a future run by [`with_response_body_limit`], with the
/// last response it received.
#[derive(Debug)]
#[non_exhaustive]
pub struct Observed<T> {
    /// The future's output.
    pub output: T,
    /// The status and headers of the last response, if any arrived.
    pub last: Option<(reqwest::StatusCode, reqwest::header::HeaderMap)>,
}

impl<T> Observed<T> {
    /// The status of the last response, if any arrived.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.last.as_ref().map(|(status, _)| *status)
    }
}

/// A response body was larger than the limit set with
/// [`with_response_body_limit`]; it was not read further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the response body ({status}) is larger than the limit of {limit} bytes{}",
    declared(*content_length)
)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The limit in bytes.
    pub limit: u64,
    /// The status of the response.
    pub status: u16,
    /// The `Content-Length` the response declared, when it declared one.
    pub content_length: Option<u64>,
}

fn declared(content_length: Option<u64>) -> String {
    content_length.map_or_else(String::new, |n| format!(" (Content-Length: {n})"))
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl ClientHooks<()> for crate::Client {
    // Takes precedence over the generated `impl ClientHooks for &Client`.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        Ok(match SCOPE.try_with(Arc::clone) {
            Ok(scope) => {
                *scope.last.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((response.status(), response.headers().clone()));
                limited(response, scope.limit)
            }
            Err(_) => response,
        })
    }
}

/// `response` with its body limited to `limit` bytes.
fn limited(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let status = response.status().as_u16();
    let content_length = response.content_length();
    let url = response.url().clone();
    let mut response: http::Response<reqwest::Body> = response.into();
    // Keep the URL (used in reqwest's error messages) across the conversion.
    if let Ok(skeleton) = http::Response::builder().url(url).body(()) {
        response
            .extensions_mut()
            .extend(skeleton.into_parts().0.extensions);
    }
    if let Some(length) = content_length.filter(|&length| length > limit) {
        let error = ResponseTooLarge {
            limit,
            status,
            content_length: Some(length),
        };
        // The declared body is dropped unread.
        return response
            .map(|_| {
                reqwest::Body::wrap_stream(futures::stream::once(async move {
                    Err::<bytes::Bytes, _>(error)
                }))
            })
            .into();
    }
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    response
        .map(|body| {
            reqwest::Body::wrap(http_body_util::Limited::new(body, cap).map_err(
                move |error: BoxError| -> BoxError {
                    if error.is::<http_body_util::LengthLimitError>() {
                        Box::new(ResponseTooLarge {
                            limit,
                            status,
                            content_length: None,
                        })
                    } else {
                        error
                    }
                },
            ))
        })
        .into()
}
