//! Listing streams: [`PageStream`] (page by page, with cursors) and
//! [`ItemStream`] (item by item), one generic pair for every cursor-paged
//! list operation. For role bindings they are [`Pages`] and [`Bindings`].
//!
//! Both are lazy: nothing is sent until they are polled. Every filter of
//! the query (e.g. [`ListQuery`]) is sent with every page; only the cursor
//! changes. The stream's own options — the starting cursor, read-ahead and
//! the empty-page guard — are kept apart from the request and never sent.
//! A stream ends after the last page (`has_more: false`) or after its first
//! error, and stops with an [`Error::Pagination`] instead of looping when
//! the server
//!
//! - returns a cursor the stream has already used
//!   ([`PaginationError::RepeatedCursor`]),
//! - starts a page with an item that already started an earlier page,
//!   i.e. serves the same pages again under fresh cursors
//!   ([`PaginationError::RepeatedPage`]; that page is not handed out),
//! - says `has_more` without a `next_cursor`
//!   ([`PaginationError::MissingCursor`]), or
//! - sends more consecutive empty pages with `has_more` than the query's
//!   `max_empty_pages` (e.g. [`ListQuery::max_empty_pages`]) allows
//!   ([`PaginationError::TooManyEmptyPages`]).
//!
//! The page that triggers a guard is still handed out first; its items are
//! valid.
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
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use futures::future::BoxFuture;

use crate::error::{Error, PaginationError, ValidationError};
use crate::exec::Executor;
use crate::types::{Cursor, Page, ReadAhead, StreamOptions};

#[cfg(doc)]
use crate::types::ListQuery;

/// The role-binding page stream: [`Client::pages`](crate::Client::pages).
pub type Pages = PageStream<Page>;

/// The role-binding stream: [`Client::list`](crate::Client::list).
pub type Bindings = ItemStream<Page>;

pub(crate) mod sealed {
    /// Only this crate's page types are [`CursorPage`](super::CursorPage)s.
    pub trait Sealed {}
}

/// One page of a cursor-paged listing, as the streams see it. Implemented
/// by this crate's page types (e.g. [`Page`]); sealed.
pub trait CursorPage: sealed::Sealed + Send + 'static {
    /// What the page lists.
    type Item: Send + Unpin + 'static;

    /// The items on this page.
    fn items(&self) -> &[Self::Item];

    /// Takes the items out of the page.
    fn into_items(self) -> Vec<Self::Item>;

    /// The cursor of the next page.
    fn next_cursor(&self) -> Option<&Cursor>;

    /// Whether the server has more results after this page.
    fn has_more(&self) -> bool;

    /// The key that identifies an item (its ID), for the repeated-page
    /// guard ([`PaginationError::RepeatedPage`]).
    fn item_key(item: &Self::Item) -> &str;
}

/// A list operation: its request **without** the cursor (every filter,
/// the page size) and how to send it for one page. What the generic
/// streams are built from; one impl per list operation.
pub(crate) trait ListRequest: Clone + fmt::Debug + Send + Sync + 'static {
    /// The page it returns.
    type Page: CursorPage;

    /// Checks the request before anything is sent.
    fn validate(&self) -> Result<(), ValidationError>;

    /// Sends the request for the page starting at `cursor` (`None`: the
    /// first page), with the call's deadline at `until` when given
    /// ([`Executor::call_until`]).
    fn send(
        &self,
        exec: &Executor,
        cursor: Option<&Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> impl Future<Output = Result<Self::Page, Error>> + Send;
}

/// Fetches one page of a bound request.
trait Fetch<P>: fmt::Debug + Send + Sync {
    fn fetch(
        &self,
        cursor: Option<Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> BoxFuture<'static, Result<P, Error>>;
}

/// A request bound to the executor that sends it.
struct Bound<L> {
    exec: Arc<Executor>,
    request: L,
}

impl<L: fmt::Debug> fmt::Debug for Bound<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.request.fmt(f)
    }
}

impl<L: ListRequest> Fetch<L::Page> for Bound<L> {
    fn fetch(
        &self,
        cursor: Option<Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> BoxFuture<'static, Result<L::Page, Error>> {
        let exec = self.exec.clone();
        let request = self.request.clone();
        Box::pin(async move {
            request.validate()?;
            request.send(&exec, cursor.as_ref(), until).await
        })
    }
}

/// Sends one page of `request` (the stream options' cursor as its
/// starting point): [`Client::list_page`](crate::Client::list_page) and
/// friends.
pub(crate) async fn one_page<L: ListRequest>(
    exec: &Executor,
    request: &L,
    options: &StreamOptions,
) -> Result<L::Page, Error> {
    request.validate()?;
    options.validate()?;
    request
        .send(exec, options.cursor.as_ref(), options.until)
        .await
}

/// A page fetch running on its own task; aborted when dropped.
struct Prefetch<P>(tokio::task::JoinHandle<Result<P, Error>>);

impl<P> Drop for Prefetch<P> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum State<P> {
    /// The next page to fetch starts at this cursor (`None`: the first
    /// page).
    Ready(Option<Cursor>),
    /// Fetching in this task, as the stream is polled.
    Fetching(BoxFuture<'static, Result<P, Error>>),
    /// Fetching in a background task (read-ahead).
    Prefetching(Prefetch<P>),
    /// A guard fired after the page just handed out.
    Failed(PaginationError),
    Done,
}

/// A stream of pages of any list operation; see the [module docs](self).
///
/// `Send`, `Unpin` and `'static`: it owns a handle to the client.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<P: CursorPage> {
    fetcher: Arc<dyn Fetch<P>>,
    options: StreamOptions,
    state: State<P>,
    seen: HashSet<Cursor>,
    /// The key of the first item of every page handed out: one per page,
    /// like `seen`, so memory grows with pages, not with items.
    page_starts: HashSet<String>,
    pages: u64,
    empty_run: u32,
}

impl<P: CursorPage> fmt::Debug for PageStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Fetching(_) => "fetching",
            State::Prefetching(_) => "prefetching",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("Pages")
            .field("query", &self.fetcher)
            .field("options", &self.options)
            .field("state", &state)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<P: CursorPage> PageStream<P> {
    /// A lazy stream over the pages of `request`, sent through `exec`.
    pub(crate) fn new<L>(exec: Arc<Executor>, request: L, options: StreamOptions) -> Self
    where
        L: ListRequest<Page = P>,
    {
        let mut seen = HashSet::new();
        if let Some(start) = &options.cursor {
            seen.insert(start.clone());
        }
        let start = options.cursor.clone();
        Self {
            fetcher: Arc::new(Bound { exec, request }),
            options,
            state: State::Ready(start),
            seen,
            page_starts: HashSet::new(),
            pages: 0,
            empty_run: 0,
        }
    }

    /// Pages handed out so far.
    pub fn pages_received(&self) -> u64 {
        self.pages
    }

    fn fetch(&self, cursor: Option<Cursor>) -> BoxFuture<'static, Result<P, Error>> {
        if let Err(e) = self.options.validate() {
            return Box::pin(async move { Err(e.into()) });
        }
        self.fetcher.fetch(cursor, self.options.until)
    }

    /// Applies the guards to a page just received and picks the next state.
    fn after_page(&mut self, page: &P) -> State<P> {
        self.pages += 1;
        if !page.has_more() {
            return State::Done;
        }
        let Some(cursor) = page.next_cursor().cloned() else {
            return State::Failed(PaginationError::MissingCursor { pages: self.pages });
        };
        if page.items().is_empty() {
            self.empty_run += 1;
            if self.empty_run > self.options.max_empty_pages {
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
        if self.options.read_ahead == ReadAhead::OnePage
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            return State::Prefetching(Prefetch(runtime.spawn(self.fetch(Some(cursor)))));
        }
        State::Ready(Some(cursor))
    }

    fn finish(&mut self, result: Result<P, Error>) -> Poll<Option<Result<P, Error>>> {
        match result {
            Ok(page) => {
                if let Some(first) = page.items().first()
                    && !self.page_starts.insert(P::item_key(first).to_owned())
                {
                    self.state = State::Done;
                    return Poll::Ready(Some(Err(PaginationError::RepeatedPage {
                        key: P::item_key(first).to_owned(),
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

    /// Whether the stream has ended (after its last page or an error).
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<P: CursorPage> Stream for PageStream<P> {
    type Item = Result<P, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                State::Ready(cursor) => {
                    let cursor = cursor.take();
                    this.state = State::Fetching(this.fetch(cursor));
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

/// A stream of the items of any list operation, across pages; see the
/// [module docs](self). Holds at most the current page (and, with
/// read-ahead, the next one).
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<P: CursorPage> {
    pages: PageStream<P>,
    current: std::vec::IntoIter<P::Item>,
}

impl<P: CursorPage> fmt::Debug for ItemStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bindings")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<P: CursorPage> ItemStream<P> {
    pub(crate) fn new(pages: PageStream<P>) -> Self {
        Self {
            pages,
            current: Vec::new().into_iter(),
        }
    }

    /// Turns this stream back into the page stream, dropping any items of
    /// the current page not yet handed out.
    pub fn into_pages(self) -> PageStream<P> {
        self.pages
    }
}

impl<P: CursorPage> Stream for ItemStream<P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = page.into_items().into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        if self.pages.is_done() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}
