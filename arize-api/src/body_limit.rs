//! An optional cap on the size of response bodies, and the status of the
//! last response: see [`with_response_body_limit`].

use std::cell::Cell;
use std::future::Future;

use http_body_util::BodyExt as _;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::ResponseBuilderExt as _;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What a scope shares with the hook. Only the task that runs the scope
/// sees it, hence plain cells.
struct Scope {
    limit: u64,
    status: Cell<Option<StatusCode>>,
    error_headers: Cell<Option<HeaderMap>>,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("limit", &self.limit)
            .field("status", &self.status.get())
            .finish_non_exhaustive()
    }
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `future` (calls of the generated client) with response bodies
/// limited to `limit` bytes, and returns its output with the status of the
/// last response it received (and its headers, when that status was not a
/// success).
///
/// The generated client reads every body into memory before decoding it.
/// To bound that, the one hand-written hook of this crate, `exec` (see
/// progenitor's `ClientHooks`), checks each response when the request runs
/// inside this function:
///
/// - a `Content-Length` above the limit is refused at once: the body is
///   dropped unread (and its connection closed);
/// - a `Content-Length` within the limit is left as it is (the connection
///   never yields more than the declared length);
/// - a body without a `Content-Length` (chunked) is read until it passes the
///   limit, then reading fails.
///
/// Either way reading the body fails with an error whose source chain holds
/// a [`ResponseTooLarge`] (for the generated methods:
/// [`Error::ResponseBodyError`](crate::Error::ResponseBodyError)).
///
/// That is for success (2xx) answers. An answer with any other status (a
/// 429 or a 503 behind a proxy that pads its error pages, say) is not
/// refused: its status and headers are what matter, so its body is **cut**
/// at the limit instead — the first `limit` bytes, then the end of the body
/// (the rest is never read, and the connection is closed). The cut body
/// rarely parses, so the generated methods report it as
/// [`Error::InvalidResponsePayload`](crate::Error::InvalidResponsePayload)
/// (or, for a status the API document does not list,
/// [`Error::UnexpectedResponse`](crate::Error::UnexpectedResponse)), with
/// the status and headers in [`Observed`]. Outside this function bodies are
/// not limited.
///
/// The hook also records the status of the last response, which the
/// generated errors do not always carry, and the headers of an error
/// response: an error status whose body is not a problem document (a
/// proxy's HTML page with a documented status such as 429) comes back as
/// [`Error::InvalidResponsePayload`](crate::Error::InvalidResponsePayload),
/// without its status or headers. (A successful response's headers are in
/// the generated client's [`ResponseValue`](crate::ResponseValue).)
///
/// ```no_run
/// # async fn demo(client: arize_api::Client) {
/// let id = arize_api::types::Id("Um9sZUJpbmRpbmc6MTphQmNE".into());
/// let observed =
///     arize_api::with_response_body_limit(4 * 1024 * 1024, client.get_role_binding(&id)).await;
/// if let Err(arize_api::Error::InvalidResponsePayload(..)) = &observed.output {
///     println!("undecodable answer with status {:?}", observed.status);
/// }
/// # }
/// ```
pub async fn with_response_body_limit<F: Future>(limit: u64, future: F) -> Observed<F::Output> {
    let scope = Scope {
        limit,
        status: Cell::new(None),
        error_headers: Cell::new(None),
    };
    let mut scoped = std::pin::pin!(SCOPE.scope(scope, future));
    let output = scoped.as_mut().await;
    let (status, error_headers) = match scoped.take_value() {
        Some(scope) => (scope.status.into_inner(), scope.error_headers.into_inner()),
        None => (None, None),
    };
    Observed {
        output,
        status,
        error_headers,
    }
}

/// The output of a future run by [`with_response_body_limit`], with what it
/// saw of the last response.
#[derive(Debug)]
#[non_exhaustive]
pub struct Observed<T> {
    /// The future's output.
    pub output: T,
    /// The status of the last response, if any arrived.
    pub status: Option<StatusCode>,
    /// The headers of the last response, if it arrived with a status other
    /// than 2xx (`None` after a success: its headers come with the value).
    pub error_headers: Option<HeaderMap>,
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
        let limit = SCOPE.try_with(|scope| {
            let status = response.status();
            scope.status.set(Some(status));
            // Headers are kept only where the generated errors drop them.
            scope.error_headers.set(if status.is_success() {
                None
            } else {
                Some(response.headers().clone())
            });
            scope.limit
        });
        Ok(match limit {
            Ok(limit) => limited(response, limit),
            Err(_) => response,
        })
    }
}

/// `response` with its body limited to `limit` bytes.
fn limited(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let content_length = response.content_length();
    if content_length.is_some_and(|length| length <= limit) {
        // The declared length is exact: the connection yields no more.
        return response;
    }
    let cut = !response.status().is_success();
    let status = response.status().as_u16();
    let url = response.url().clone();
    let mut response: http::Response<reqwest::Body> = response.into();
    // Keep the URL (used in reqwest's error messages) across the conversion.
    if let Ok(skeleton) = http::Response::builder().url(url).body(()) {
        response
            .extensions_mut()
            .extend(skeleton.into_parts().0.extensions);
    }
    if cut {
        return response
            .map(|body| reqwest::Body::wrap_stream(cut_at(body, limit)))
            .into();
    }
    if let Some(length) = content_length {
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

/// The first `limit` bytes of `body`, then its end (the rest is not read).
fn cut_at(
    body: reqwest::Body,
    limit: u64,
) -> impl futures::Stream<Item = Result<bytes::Bytes, reqwest::Error>> + Send + 'static {
    let data = http_body_util::BodyDataStream::new(body);
    futures::stream::unfold((data, limit), |(mut data, left)| async move {
        if left == 0 {
            return None;
        }
        match futures::StreamExt::next(&mut data).await? {
            Ok(mut chunk) => {
                let keep = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
                chunk.truncate(keep);
                let left = left - keep as u64;
                Some((Ok(chunk), (data, left)))
            }
            // A broken body ends the read.
            Err(error) => Some((Err(error), (data, 0))),
        }
    })
}
