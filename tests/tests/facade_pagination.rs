//! Listing streams against httpmock: every page a separate mock keyed by
//! its cursor, so the tests see exactly which pages were requested, with
//! which filters, and when.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::num::NonZeroU64;
use std::time::Duration;

use arize_api::mock::MockServerExt as _;
use arize_api::types::RoleBindingResourceType;
use arize_role_bindings::{
    Cursor, Error, ListQuery, PaginationError, ReadAhead, ResourceType, RoleBinding, UserId,
};
use facade_support::*;
use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::{Mock, MockServer};

fn binding_id(page: usize, n: usize) -> String {
    format!("binding-{page}-{n}")
}

fn cursor_of(page: usize) -> Option<String> {
    (page > 0).then(|| format!("cursor-{page}"))
}

/// Mocks `pages` pages of `per_page` bindings each for PROJECT bindings of
/// USER with limit `per_page`; every filter must be present on every page.
fn mock_pages(server: &MockServer, pages: usize, per_page: usize) -> Vec<Mock<'_>> {
    (0..pages)
        .map(|page| {
            let bindings = (0..per_page)
                .map(|n| wire_binding(&binding_id(page, n), ROLE, USER, "PROJECT", PROJECT))
                .collect();
            let next = (page + 1 < pages).then(|| format!("cursor-{}", page + 1));
            server.list_role_bindings(|when, then| {
                when.resource_type(RoleBindingResourceType::Project)
                    .user_id(&id(USER))
                    .limit(NonZeroU64::new(per_page as u64))
                    .cursor(cursor_of(page).as_deref());
                then.ok(&facade_support::page(bindings, next.as_deref()));
            })
        })
        .collect()
}

fn query(per_page: u32) -> ListQuery {
    ListQuery::new(ResourceType::Project)
        .user(UserId::new(USER))
        .limit(per_page)
}

async fn wait_for_calls(mock: &Mock<'_>, calls: usize) {
    for _ in 0..200 {
        if mock.calls_async().await >= calls {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("mock did not reach {calls} call(s)");
}

#[tokio::test]
async fn lists_across_55_pages_resending_every_filter() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 55, 2);
    let unmatched = catch_all(&server);

    let all: Vec<RoleBinding> = client.list(query(2)).try_collect().await.unwrap();
    assert_eq!(all.len(), 110);
    let expected: Vec<String> = (0..55)
        .flat_map(|p| (0..2).map(move |n| binding_id(p, n)))
        .collect();
    let got: Vec<&str> = all.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(got, expected);
    for mock in &mocks {
        mock.assert_calls(1);
    }
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn streams_are_lazy() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 3, 2);
    let unmatched = catch_all(&server);
    let stream = client.list(query(2));
    tokio::time::sleep(Duration::from_millis(100)).await;
    mocks[0].assert_calls(0);
    drop(stream);
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn a_saved_cursor_resumes_the_listing() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 52, 3);
    let unmatched = catch_all(&server);

    // First run: three pages, then stop and keep the cursor.
    let mut first_run = Vec::new();
    let mut pages = client.pages(query(3));
    let mut saved: Option<Cursor> = None;
    while let Some(page) = pages.try_next().await.unwrap() {
        first_run.extend(page.bindings().iter().map(|b| b.id.to_string()));
        saved = page.next_cursor().cloned();
        if pages.pages_received() == 3 {
            break;
        }
    }
    drop(pages);
    let saved = saved.unwrap();
    assert_eq!(saved, Cursor::new("cursor-3"));
    // Without read-ahead, nothing past page three was requested.
    mocks[3].assert_calls(0);

    // Later: resume from the saved cursor (it round-trips through serde).
    let saved: Cursor = serde_json::from_str(&serde_json::to_string(&saved).unwrap()).unwrap();
    let rest: Vec<RoleBinding> = client
        .list(query(3).cursor(saved))
        .try_collect()
        .await
        .unwrap();
    let mut ids = first_run;
    ids.extend(rest.iter().map(|b| b.id.to_string()));
    let expected: Vec<String> = (0..52)
        .flat_map(|p| (0..3).map(move |n| binding_id(p, n)))
        .collect();
    assert_eq!(ids, expected);
    for mock in &mocks {
        mock.assert_calls(1);
    }
    unmatched.assert_calls(0);
}

/// Mocks one page for `cursor` (None: the first page).
fn mock_page<'a>(
    server: &'a MockServer,
    cursor: Option<&str>,
    bindings: usize,
    has_more: bool,
    next: Option<&str>,
) -> Mock<'a> {
    let list = (0..bindings)
        .map(|n| {
            wire_binding(
                &format!("b-{}-{n}", cursor.unwrap_or("first")),
                ROLE,
                USER,
                "SPACE",
                SPACE,
            )
        })
        .collect();
    let body = arize_api::types::ListRoleBindingsResponse {
        role_bindings: list,
        pagination: arize_api::types::PaginationMetadata {
            has_more,
            next_cursor: next.map(str::to_owned),
        },
    };
    server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Space)
            .cursor(cursor);
        then.ok(&body);
    })
}

async fn drain(mut pages: arize_role_bindings::Pages) -> (usize, Option<Error>) {
    let mut received = 0;
    let mut error = None;
    while let Some(item) = pages.next().await {
        match item {
            Ok(_) => received += 1,
            Err(e) => {
                assert!(error.is_none(), "more than one error");
                error = Some(e);
            }
        }
    }
    // Ended streams stay ended.
    assert!(pages.next().await.is_none());
    (received, error)
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_stream() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let first = mock_page(&server, None, 2, true, Some("A"));
    let a = mock_page(&server, Some("A"), 2, true, Some("B"));
    let b = mock_page(&server, Some("B"), 2, true, Some("A")); // a cycle
    let unmatched = catch_all(&server);
    let (received, error) = drain(client.pages(ListQuery::new(ResourceType::Space))).await;
    assert_eq!(
        received, 3,
        "the page with the repeated cursor is still handed out"
    );
    match error {
        Some(Error::Pagination(PaginationError::RepeatedCursor { cursor, pages })) => {
            assert_eq!(cursor, Cursor::new("A"));
            assert_eq!(pages, 3);
        }
        other => panic!("{other:?}"),
    }
    first.assert_calls(1);
    a.assert_calls(1);
    b.assert_calls(1);
    unmatched.assert_calls(0);

    // The start cursor counts too.
    let (received, error) =
        drain(client.pages(ListQuery::new(ResourceType::Space).cursor("B"))).await;
    assert_eq!(received, 2);
    assert!(matches!(
        error,
        Some(Error::Pagination(PaginationError::RepeatedCursor { .. }))
    ));
}

#[tokio::test]
async fn has_more_without_a_cursor_stops_the_stream() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    mock_page(&server, None, 2, true, Some("A"));
    mock_page(&server, Some("A"), 1, true, None);
    let unmatched = catch_all(&server);
    let (received, error) = drain(client.pages(ListQuery::new(ResourceType::Space))).await;
    assert_eq!(received, 2);
    assert!(
        matches!(
            error,
            Some(Error::Pagination(PaginationError::MissingCursor {
                pages: 2
            }))
        ),
        "{error:?}"
    );
    // The item stream hands out every binding, then the error.
    let items: Vec<_> = client
        .list(ListQuery::new(ResourceType::Space))
        .collect()
        .await;
    assert_eq!(items.len(), 4);
    assert!(items[..3].iter().all(Result::is_ok));
    assert!(matches!(
        items[3],
        Err(Error::Pagination(PaginationError::MissingCursor { .. }))
    ));
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn too_many_empty_pages_stop_the_stream() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mut mocks = vec![mock_page(&server, None, 0, true, Some("e1"))];
    for i in 1..=30 {
        let cursor = format!("e{i}");
        let next = format!("e{}", i + 1);
        mocks.push(mock_page(&server, Some(&cursor), 0, true, Some(&next)));
    }
    let unmatched = catch_all(&server);

    let (received, error) =
        drain(client.pages(ListQuery::new(ResourceType::Space).max_empty_pages(3))).await;
    assert_eq!(received, 4);
    assert!(
        matches!(
            error,
            Some(Error::Pagination(PaginationError::TooManyEmptyPages {
                empty_pages: 4,
                pages: 4
            }))
        ),
        "{error:?}"
    );
    assert_eq!(mocks.iter().map(Mock::calls).sum::<usize>(), 4);

    // The default allows ten.
    let (received, error) = drain(client.pages(ListQuery::new(ResourceType::Space))).await;
    assert_eq!(received, 11);
    assert!(matches!(
        error,
        Some(Error::Pagination(PaginationError::TooManyEmptyPages {
            empty_pages: 11,
            ..
        }))
    ));
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn empty_pages_between_full_ones_are_fine() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    mock_page(&server, None, 0, true, Some("A"));
    mock_page(&server, Some("A"), 0, true, Some("B"));
    mock_page(&server, Some("B"), 1, true, Some("C"));
    mock_page(&server, Some("C"), 0, true, Some("D"));
    mock_page(&server, Some("D"), 0, false, None);
    let all: Vec<_> = client
        .list(ListQuery::new(ResourceType::Space).max_empty_pages(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn read_ahead_fetches_one_page_and_no_more() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 6, 2);
    let unmatched = catch_all(&server);

    let mut pages = client.pages(query(2).read_ahead(ReadAhead::OnePage));
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.bindings().len(), 2);
    // Page two is fetched in the background while we hold page one ...
    wait_for_calls(&mocks[1], 1).await;
    // ... and nothing beyond it, however long we wait.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for mock in &mocks[2..] {
        mock.assert_calls(0);
    }
    // Taking page two starts page three, and so on.
    let second = pages.try_next().await.unwrap().unwrap();
    assert_eq!(second.bindings()[0].id.as_str(), binding_id(1, 0));
    wait_for_calls(&mocks[2], 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    mocks[3].assert_calls(0);
    let rest: Vec<_> = pages.try_collect().await.unwrap();
    assert_eq!(rest.len(), 4);
    for mock in &mocks {
        mock.assert_calls(1);
    }
    unmatched.assert_calls(0);

    // The item stream holds at most the current page and one more.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 6, 2);
    let mut items = client.list(query(2).read_ahead(ReadAhead::OnePage));
    let item = items.try_next().await.unwrap().unwrap();
    assert_eq!(item.id.as_str(), binding_id(0, 0));
    wait_for_calls(&mocks[1], 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(mocks[2..].iter().all(|m| m.calls() == 0));
    // Consuming the rest of page one and all of page two keeps the bound.
    for _ in 0..3 {
        items.try_next().await.unwrap().unwrap();
    }
    wait_for_calls(&mocks[2], 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(mocks[3..].iter().all(|m| m.calls() == 0));
    let rest: Vec<_> = items.try_collect().await.unwrap();
    assert_eq!(rest.len(), 8);
}

#[tokio::test]
async fn without_read_ahead_nothing_is_fetched_early() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mocks = mock_pages(&server, 3, 2);
    let mut pages = client.pages(query(2));
    pages.try_next().await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    mocks[1].assert_calls(0);
}

/// Dropping a stream aborts its background fetch: the aborted fetch never
/// gets to its retry (which the recording sleeper would see).
#[tokio::test]
async fn dropping_a_stream_cancels_the_read_ahead() {
    let server = MockServer::start_async().await;
    let (client, sleeper) = mock_client(&server);
    let first = mock_page(&server, None, 2, true, Some("A"));
    let slow = server.list_role_bindings(|when, then| {
        when.cursor("A");
        then.into_inner()
            .status(503)
            .body("unavailable")
            .delay(Duration::from_millis(400));
    });
    let mut pages =
        client.pages(ListQuery::new(ResourceType::Space).read_ahead(ReadAhead::OnePage));
    pages.try_next().await.unwrap().unwrap();
    wait_for_calls(&slow, 1).await;
    drop(pages);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        sleeper.delays().is_empty(),
        "the background fetch kept running"
    );
    slow.assert_calls(1);
    first.assert_calls(1);

    // Control: kept alive, the same fetch reaches its retry.
    let server = MockServer::start_async().await;
    let (client, sleeper) = mock_client(&server);
    mock_page(&server, None, 2, true, Some("A"));
    let slow = server.list_role_bindings(|when, then| {
        when.cursor("A");
        then.into_inner()
            .status(503)
            .body("unavailable")
            .delay(Duration::from_millis(400));
    });
    let mut pages =
        client.pages(ListQuery::new(ResourceType::Space).read_ahead(ReadAhead::OnePage));
    pages.try_next().await.unwrap().unwrap();
    wait_for_calls(&slow, 1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!sleeper.delays().is_empty());
    drop(pages);
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    mock_page(&server, None, 2, true, Some("A"));
    server.list_role_bindings(|when, then| {
        when.cursor("A");
        then.unauthorized(&problem(401, "Authentication Required", "bad key"));
    });
    let (received, error) = drain(client.pages(ListQuery::new(ResourceType::Space))).await;
    assert_eq!(received, 1);
    assert_eq!(error.unwrap().status().unwrap().as_u16(), 401);
    // A bad limit fails at once, without a request.
    let unmatched = catch_all(&server);
    let (received, error) = drain(client.pages(ListQuery::new(ResourceType::Space).limit(0))).await;
    assert_eq!(received, 0);
    assert!(error.unwrap().is_validation());
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn a_page_served_again_under_a_fresh_cursor_stops_the_stream() {
    // Every cursor is new, so the cursor guard cannot see the loop: the
    // server answers cursor "again" with the first page's bindings.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let first = mock_page(&server, None, 2, true, Some("again"));
    let body = arize_api::types::ListRoleBindingsResponse {
        role_bindings: (0..2)
            .map(|n| wire_binding(&format!("b-first-{n}"), ROLE, USER, "SPACE", SPACE))
            .collect(),
        pagination: arize_api::types::PaginationMetadata {
            has_more: true,
            next_cursor: Some("fresh".to_owned()),
        },
    };
    let again = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Space)
            .cursor(Some("again"));
        then.ok(&body);
    });
    let unmatched = catch_all(&server);

    let mut bindings = client.list(ListQuery::new(ResourceType::Space));
    let mut ids = Vec::new();
    let error = loop {
        match bindings.next().await {
            Some(Ok(b)) => ids.push(b.id.to_string()),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without noticing the loop: {ids:?}"),
        }
    };
    assert_eq!(
        ids,
        ["b-first-0", "b-first-1"],
        "no binding is yielded twice"
    );
    match error {
        Error::Pagination(PaginationError::RepeatedPage { key, pages }) => {
            assert_eq!(key, "b-first-0");
            assert_eq!(pages, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(bindings.next().await.is_none());
    first.assert_calls(1);
    again.assert_calls(1);
    unmatched.assert_calls(0);
}
