//! Listing streams: [`Pages`] (page by page, with cursors) and [`Bindings`]
//! (binding by binding).
//!
//! Both are lazy: nothing is sent until they are polled. Every filter of
//! the [`ListQuery`] is sent with every page; only the cursor changes. A
//! stream ends after the last page (`has_more: false`) or after its first
//! error, and stops with an [`Error::Pagination`] instead of looping when
//! the server
//!
//! - returns a cursor the stream has already used
//!   ([`PaginationError::RepeatedCursor`]),
//! - starts a page with a binding that already started an earlier page,
//!   i.e. serves the same pages again under fresh cursors
//!   ([`PaginationError::RepeatedPage`]; that page is not handed out),
//! - says `has_more` without a `next_cursor`
//!   ([`PaginationError::MissingCursor`]), or
//! - sends more consecutive empty pages with `has_more` than
//!   [`ListQuery::max_empty_pages`] allows
//!   ([`PaginationError::TooManyEmptyPages`]).
//!
//! The page that triggers a guard is still handed out first; its bindings
//! are valid.
//!
//! With [`ReadAhead::OnePage`], page *n + 1* is fetched by a background
//! task as soon as page *n* is handed out, so its round trip overlaps with
//! the caller's work. There is never more than one such task, and its page
//! is the only one buffered. Dropping the stream aborts it.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use arize_role_bindings::{Client, Cursor, ListQuery, ResourceType};
//!
//! # async fn demo(client: Client, saved: Option<Cursor>) -> Result<(), arize_role_bindings::Error> {
//! let mut query = ListQuery::new(ResourceType::Project).limit(100);
//! if let Some(cursor) = saved {
//!     query = query.cursor(cursor); // resume where an earlier run stopped
//! }
//! let mut pages = client.pages(query);
//! while let Some(page) = pages.try_next().await? {
//!     for binding in page.bindings() {
//!         println!("{} {} {}", binding.user_id, binding.role_id, binding.resource);
//!     }
//!     if let Some(cursor) = page.next_cursor() {
//!         // persist `cursor` to resume from here later
//!         # let _ = cursor;
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use futures::future::BoxFuture;

use crate::client::Client;
use crate::error::{Error, PaginationError};
use crate::ids::RoleBindingId;
use crate::types::{Cursor, ListQuery, Page, ReadAhead, RoleBinding};

/// A page fetch running on its own task; aborted when dropped.
struct Prefetch(tokio::task::JoinHandle<Result<Page, Error>>);

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum State {
    /// The next page to fetch starts at this cursor (`None`: the query's own
    /// starting point, i.e. the first page).
    Ready(Option<Cursor>),
    /// Fetching in this task, as the stream is polled.
    Fetching(BoxFuture<'static, Result<Page, Error>>),
    /// Fetching in a background task (read-ahead).
    Prefetching(Prefetch),
    /// A guard fired after the page just handed out.
    Failed(PaginationError),
    Done,
}

/// A stream of pages; see the [module docs](self).
///
/// Created by [`Client::pages`]. `Send`, `Unpin` and `'static`: it owns a
/// clone of the client.
#[must_use = "streams do nothing unless polled"]
pub struct Pages {
    client: Client,
    query: ListQuery,
    state: State,
    seen: HashSet<Cursor>,
    /// The first binding of every page handed out: one ID per page, like
    /// `seen`, so memory grows with pages, not with bindings.
    page_starts: HashSet<RoleBindingId>,
    pages: u64,
    empty_run: u32,
    /// The deadline of every page's request, when it is not the client's
    /// deadline from the request's start (a lookup bounded as a whole).
    until: Option<tokio::time::Instant>,
}

impl fmt::Debug for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Fetching(_) => "fetching",
            State::Prefetching(_) => "prefetching",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("Pages")
            .field("query", &self.query)
            .field("state", &state)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl Pages {
    pub(crate) fn new(client: Client, query: ListQuery) -> Self {
        let mut seen = HashSet::new();
        if let Some(start) = &query.cursor {
            seen.insert(start.clone());
        }
        let start = query.cursor.clone();
        Self {
            client,
            query,
            state: State::Ready(start),
            seen,
            page_starts: HashSet::new(),
            pages: 0,
            empty_run: 0,
            until: None,
        }
    }

    /// Every page's request gets `until` as its deadline.
    pub(crate) fn until(mut self, until: Option<tokio::time::Instant>) -> Self {
        self.until = until;
        self
    }

    /// Whether the stream has ended (after its last page or an error).
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Pages handed out so far.
    pub fn pages_received(&self) -> u64 {
        self.pages
    }

    fn fetch(
        &self,
        cursor: Option<Cursor>,
    ) -> impl Future<Output = Result<Page, Error>> + Send + 'static + use<> {
        let client = self.client.clone();
        let mut query = self.query.clone();
        query.cursor = cursor;
        let until = self.until;
        async move { client.list_page_until(&query, until).await }
    }

    /// Applies the guards to a page just received and picks the next state.
    fn after_page(&mut self, page: &Page) -> State {
        self.pages += 1;
        if !page.has_more {
            return State::Done;
        }
        let Some(cursor) = page.next_cursor.clone() else {
            return State::Failed(PaginationError::MissingCursor { pages: self.pages });
        };
        if page.bindings.is_empty() {
            self.empty_run += 1;
            if self.empty_run > self.query.max_empty_pages {
                return State::Failed(PaginationError::TooManyEmptyPages {
                    empty_pages: self.empty_run,
                    pages: self.pages,
                });
            }
        } else {
            self.empty_run = 0;
        }
        if !self.seen.insert(cursor.clone()) {
            return State::Failed(PaginationError::RepeatedCursor {
                cursor,
                pages: self.pages,
            });
        }
        if self.query.read_ahead == ReadAhead::OnePage
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            return State::Prefetching(Prefetch(runtime.spawn(self.fetch(Some(cursor)))));
        }
        State::Ready(Some(cursor))
    }

    fn finish(&mut self, result: Result<Page, Error>) -> Poll<Option<Result<Page, Error>>> {
        match result {
            Ok(page) => {
                if let Some(first) = page.bindings.first()
                    && !self.page_starts.insert(first.id.clone())
                {
                    self.state = State::Done;
                    return Poll::Ready(Some(Err(PaginationError::RepeatedPage {
                        binding: first.id.clone(),
                        pages: self.pages,
                    }
                    .into())));
                }
                self.state = self.after_page(&page);
                Poll::Ready(Some(Ok(page)))
            }
            Err(e) => {
                self.state = State::Done;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

impl Stream for Pages {
    type Item = Result<Page, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                State::Ready(cursor) => {
                    let cursor = cursor.take();
                    this.state = State::Fetching(Box::pin(this.fetch(cursor)));
                }
                State::Fetching(fut) => {
                    let result = std::task::ready!(fut.as_mut().poll(cx));
                    return this.finish(result);
                }
                State::Prefetching(task) => {
                    let joined = std::task::ready!(Pin::new(&mut task.0).poll(cx));
                    let result = joined.unwrap_or_else(|join_error| {
                        // The task is only aborted by dropping the stream, so
                        // this is a panic inside the request: surface it as a
                        // failed request rather than panicking here.
                        Err(Error::Transport {
                            phase: crate::error::TransportPhase::AfterSend,
                            source: Box::new(join_error),
                        })
                    });
                    return this.finish(result);
                }
                State::Failed(_) => {
                    let State::Failed(guard) = std::mem::replace(&mut this.state, State::Done)
                    else {
                        return Poll::Ready(None);
                    };
                    return Poll::Ready(Some(Err(guard.into())));
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            State::Failed(_) => (1, Some(1)),
            _ => (0, None),
        }
    }
}

/// A stream of bindings across pages; see the [module docs](self).
///
/// Created by [`Client::list`]. Holds at most the current page (and, with
/// read-ahead, the next one).
#[must_use = "streams do nothing unless polled"]
pub struct Bindings {
    pages: Pages,
    current: std::vec::IntoIter<RoleBinding>,
}

impl fmt::Debug for Bindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bindings")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl Bindings {
    pub(crate) fn new(pages: Pages) -> Self {
        Self {
            pages,
            current: Vec::new().into_iter(),
        }
    }

    /// Turns this stream back into the page stream, dropping any bindings of
    /// the current page not yet handed out.
    pub fn into_pages(self) -> Pages {
        self.pages
    }
}

impl Stream for Bindings {
    type Item = Result<RoleBinding, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(binding) = this.current.next() {
                return Poll::Ready(Some(Ok(binding)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = page.into_bindings().into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        match self.pages.state {
            State::Done => (buffered, Some(buffered)),
            _ => (buffered, None),
        }
    }
}
