//! Cursor opacity and stable pagination under concurrent change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;

use arize_api::types::RoleBindingResourceType;
use arize_fake_server::{FakeServer, Seed};
use base64::Engine as _;
use common::{Api, KEY, assert_problem, binding_ids};
use serde_json::json;

const SPACE: RoleBindingResourceType = RoleBindingResourceType::Space;

/// A server with `n` SPACE bindings (n users on one space).
async fn with_bindings(n: usize) -> Api {
    let api = Api::with_seed(Seed::empty().users(n + 50).roles(2).spaces(2).projects(1)).await;
    let s = &api.server;
    for user in s.users().iter().take(n) {
        s.create_binding(user, &s.roles()[0], SPACE, &s.spaces()[0])
            .unwrap();
    }
    api
}

fn cursor_of(page: &serde_json::Value) -> String {
    page["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_walk_returns_every_binding_once_in_creation_order() {
    let api = with_bindings(23).await;
    let expected: Vec<String> = api
        .server
        .bindings()
        .iter()
        .map(|b| b.id.0.clone())
        .collect();
    for limit in [1, 2, 5, 22, 23, 24, 100] {
        assert_eq!(
            api.walk("resource_type=SPACE", limit).await,
            expected,
            "limit {limit}"
        );
    }
    // The last page has has_more=false and no next_cursor.
    let page = api.list("resource_type=SPACE&limit=23").await;
    assert_eq!(page["pagination"], json!({"has_more": false}));
}

#[tokio::test]
async fn cursors_are_opaque_random_tokens_not_offsets() {
    let api = with_bindings(10).await;
    let first = api.list("resource_type=SPACE&limit=3").await;
    let c1 = cursor_of(&first);
    let second = api
        .list(&format!("resource_type=SPACE&limit=3&cursor={c1}"))
        .await;
    let c2 = cursor_of(&second);
    // Asking for the same page again gives a different token for the same position.
    let again = api.list("resource_type=SPACE&limit=3").await;
    let c1b = cursor_of(&again);
    assert_ne!(c1, c1b);
    assert_eq!(binding_ids(&first), binding_ids(&again));
    for cursor in [&c1, &c2, &c1b] {
        assert!(cursor.len() >= 20, "{cursor}");
        assert!(cursor.parse::<u64>().is_err());
        // No readable position inside: it is not base64 of text.
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .unwrap_or_default();
        assert!(
            String::from_utf8(decoded).map_or(true, |t| !t.chars().all(|c| c.is_ascii_graphic()))
        );
    }
    // Both tokens for "after item 3" work and give the same page.
    let via_b = api
        .list(&format!("resource_type=SPACE&limit=3&cursor={c1b}"))
        .await;
    assert_eq!(binding_ids(&via_b), binding_ids(&second));
    assert_eq!(api.server.cursor_count(), 3 + 1); // c1, c2, c1b, via_b's
}

#[tokio::test]
async fn garbage_forged_and_tampered_cursors_are_400() {
    let api = with_bindings(10).await;
    let page = api.list("resource_type=SPACE&limit=3").await;
    let real = cursor_of(&page);
    let mut tampered: Vec<char> = real.chars().collect();
    tampered[5] = if tampered[5] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let forged_offset = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("offset=3");
    for cursor in [
        "garbage".to_owned(),
        "3".to_owned(),
        "0".to_owned(),
        forged_offset,
        tampered,
        format!("{real}x"),
        real[..real.len() - 1].to_owned(),
        "%00".to_owned(),
    ] {
        let response = api
            .get(&format!(
                "/v2/role-bindings?resource_type=SPACE&cursor={cursor}"
            ))
            .await;
        assert_problem(response, 400).await;
    }
    let empty = api
        .get("/v2/role-bindings?resource_type=SPACE&cursor=")
        .await;
    assert_problem(empty, 400).await;
    // The real one still works.
    api.list(&format!("resource_type=SPACE&cursor={real}"))
        .await;
}

#[tokio::test]
async fn a_cursor_used_with_other_filters_is_400_but_another_limit_is_fine() {
    let api = with_bindings(10).await;
    let page = api.list("resource_type=SPACE&limit=3").await;
    let cursor = cursor_of(&page);
    let other_type = api
        .get(&format!(
            "/v2/role-bindings?resource_type=PROJECT&cursor={cursor}"
        ))
        .await;
    assert_problem(other_type, 400).await;
    let user = api.server.users()[0].clone();
    let other_user = api
        .http
        .get(api.url("/v2/role-bindings"))
        .bearer_auth(KEY)
        .query(&[
            ("resource_type", "SPACE"),
            ("user_id", &user),
            ("cursor", &cursor),
        ])
        .send()
        .await
        .unwrap();
    assert_problem(other_user, 400).await;
    let next = api
        .list(&format!("resource_type=SPACE&limit=7&cursor={cursor}"))
        .await;
    assert_eq!(next["role_bindings"].as_array().unwrap().len(), 7);
    assert_eq!(next["pagination"]["has_more"], json!(false));
}

#[tokio::test]
async fn a_cursor_from_another_server_is_400() {
    let a = with_bindings(5).await;
    let b = with_bindings(5).await;
    let cursor = cursor_of(&a.list("resource_type=SPACE&limit=2").await);
    let response = b
        .get(&format!(
            "/v2/role-bindings?resource_type=SPACE&cursor={cursor}"
        ))
        .await;
    assert_problem(response, 400).await;
}

#[tokio::test]
async fn forgotten_cursors_are_400() {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(Seed::default().bindings(6))
        .max_cursors(2)
        .start()
        .await
        .unwrap();
    let api = Api::over(server);
    let c1 = cursor_of(&api.list("resource_type=SPACE&limit=1").await);
    let _c2 = cursor_of(&api.list("resource_type=SPACE&limit=1").await);
    let _c3 = cursor_of(&api.list("resource_type=SPACE&limit=1").await);
    assert_eq!(api.server.cursor_count(), 2);
    let response = api
        .get(&format!(
            "/v2/role-bindings?resource_type=SPACE&cursor={c1}"
        ))
        .await;
    assert_problem(response, 400).await;
}

/// Between every two pages, bindings are created and deleted (also ones
/// before and after the walk's position, and the very item the cursor
/// points after). Every binding that existed throughout the walk must be
/// seen exactly once; nothing may be seen twice.
#[tokio::test]
async fn stable_under_inserts_and_deletes_between_pages() {
    let api = with_bindings(40).await;
    let s = &api.server;
    let initial: Vec<String> = s.bindings().iter().map(|b| b.id.0.clone()).collect();
    let spare_users: Vec<String> = s.users()[40..].to_vec();
    let mut deleted: HashSet<String> = HashSet::new();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut spare = spare_users.iter();
    let mut step = 0usize;
    loop {
        let query = match &cursor {
            Some(c) => format!("resource_type=SPACE&limit=4&cursor={c}"),
            None => "resource_type=SPACE&limit=4".to_owned(),
        };
        let page = api.list(&query).await;
        let ids = binding_ids(&page);
        seen.extend(ids.iter().cloned());
        // Mutate between pages: delete the last item returned (the cursor's
        // anchor), one already seen, one not yet seen; insert a new one.
        if let Some(last) = ids.last()
            && step.is_multiple_of(2)
            && api.delete(last).await.status() == 204
        {
            deleted.insert(last.clone());
        }
        if let Some(early) = seen.get(step)
            && s.delete_binding(early).is_some()
        {
            deleted.insert(early.clone());
        }
        if let Some(ahead) = initial.get(seen.len() + 5 + step % 3)
            && !seen.contains(ahead)
            && s.delete_binding(ahead).is_some()
        {
            deleted.insert(ahead.clone());
        }
        if let Some(user) = spare.next() {
            api.create(user, &s.roles()[1], "SPACE", &s.spaces()[0])
                .await;
        }
        step += 1;
        if page["pagination"]["has_more"] != json!(true) {
            break;
        }
        cursor = Some(cursor_of(&page));
        assert!(step < 200, "walk does not end");
    }
    let seen_set: HashSet<&String> = seen.iter().collect();
    assert_eq!(seen_set.len(), seen.len(), "a binding was repeated");
    let throughout: Vec<&String> = initial.iter().filter(|id| !deleted.contains(*id)).collect();
    assert!(
        throughout.len() > 10,
        "the test deletes too much to mean anything"
    );
    for id in &throughout {
        assert!(
            seen_set.contains(id),
            "binding {id} existed throughout but was skipped"
        );
    }
    // Order among survivors is creation order.
    let seen_initial: Vec<&String> = seen.iter().filter(|id| initial.contains(id)).collect();
    let mut sorted = seen_initial.clone();
    sorted.sort_by_key(|id| initial.iter().position(|x| x == *id));
    assert_eq!(seen_initial, sorted);
    assert!(!deleted.is_empty());
}

/// The same property with real concurrency: writers create and delete
/// bindings while several readers walk.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stable_while_writers_run_concurrently() {
    let api = std::sync::Arc::new(with_bindings(60).await);
    let s = &api.server;
    let stable: Vec<String> = s.bindings().iter().map(|b| b.id.0.clone()).collect();
    // Half of the initial bindings are "volatile": writers delete them.
    let (keep, volatile): (Vec<_>, Vec<_>) = stable
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let keep: Vec<String> = keep.into_iter().map(|(_, id)| id).collect();
    let volatile: Vec<String> = volatile.into_iter().map(|(_, id)| id).collect();

    let writer = {
        let api = std::sync::Arc::clone(&api);
        tokio::spawn(async move {
            let users = api.server.users();
            let role = api.server.roles()[1].clone();
            let space = api.server.spaces()[0].clone();
            for (i, id) in volatile.iter().enumerate() {
                assert_eq!(api.delete(id).await.status(), 204);
                let created = api.create(&users[60 + i], &role, "SPACE", &space).await;
                if i % 3 == 0 {
                    let id = created["id"].as_str().unwrap();
                    assert_eq!(api.delete(id).await.status(), 204);
                }
            }
        })
    };
    let mut readers = Vec::new();
    for limit in [1u32, 3, 7] {
        let api = std::sync::Arc::clone(&api);
        readers.push(tokio::spawn(async move {
            api.walk("resource_type=SPACE", limit).await
        }));
    }
    writer.await.unwrap();
    for reader in readers {
        let seen = reader.await.unwrap();
        let set: HashSet<&String> = seen.iter().collect();
        assert_eq!(set.len(), seen.len(), "repeated binding");
        for id in &keep {
            assert!(set.contains(id), "skipped {id}");
        }
    }
}
