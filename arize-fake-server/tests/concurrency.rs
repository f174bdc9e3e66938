//! Many clients at once: no lost or duplicated bindings, the uniqueness rule
//! holds atomically, and the server records the peak concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use arize_fake_server::{Operation, Seed};
use common::{Api, create_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_creates_of_one_pair_give_one_201() {
    let api = Arc::new(Api::start().await);
    let s = &api.server;
    let (user, space) = (s.users()[0].clone(), s.spaces()[0].clone());
    let roles = s.roles();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let api = Arc::clone(&api);
        let body = create_body(&user, &roles[i % roles.len()], "SPACE", &space);
        tasks.push(tokio::spawn(async move {
            api.post_json(&body).await.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        31,
        "{statuses:?}"
    );
    assert_eq!(api.server.bindings().len(), 1);
    assert_eq!(api.server.request_count(Operation::Create), 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_creating_distinct_bindings_lose_nothing() {
    let api = Arc::new(Api::with_seed(Seed::empty().users(50).roles(2).spaces(4)).await);
    let s = &api.server;
    let users = s.users();
    let spaces = s.spaces();
    let role = s.roles()[0].clone();
    let mut tasks = Vec::new();
    // 200 distinct pairs, each created twice concurrently by different clients.
    for _attempt in 0..2 {
        for user in &users {
            for space in &spaces {
                let api = Arc::clone(&api);
                let body = create_body(user, &role, "SPACE", space);
                tasks.push(tokio::spawn(async move {
                    api.post_json(&body).await.status().as_u16()
                }));
            }
        }
    }
    let mut created = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            201 => created += 1,
            409 => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (200, 200));
    let bindings = api.server.bindings();
    assert_eq!(bindings.len(), 200);
    let ids: HashSet<_> = bindings.iter().map(|b| b.id.0.clone()).collect();
    assert_eq!(ids.len(), 200, "binding IDs are unique");
    let pairs: HashSet<_> = bindings
        .iter()
        .map(|b| (b.user_id.0.clone(), b.resource_id.0.clone()))
        .collect();
    assert_eq!(pairs.len(), 200);
    // And a listing sees every one of them exactly once.
    assert_eq!(api.walk("resource_type=SPACE", 100).await.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deletes_of_one_binding_give_one_204() {
    let api = Arc::new(Api::start().await);
    let s = &api.server;
    let created = api
        .create(&s.users()[0], &s.roles()[0], "SPACE", &s.spaces()[0])
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let api = Arc::clone(&api);
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            api.delete(&id).await.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn peak_in_flight_is_recorded() {
    let api = Arc::new(Api::start().await);
    // Latency keeps requests in flight long enough to overlap.
    api.server
        .faults()
        .set_latency(Some(Operation::List), Duration::from_millis(300));
    assert_eq!(api.server.peak_in_flight(), 0);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let api = Arc::clone(&api);
        tasks.push(tokio::spawn(async move {
            api.get("/v2/role-bindings?resource_type=SPACE")
                .await
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let peak = api.server.peak_in_flight();
    assert!((2..=8).contains(&peak), "peak {peak}");
    assert_eq!(api.server.in_flight(), 0);
    api.server.reset_peak_in_flight();
    assert_eq!(api.server.peak_in_flight(), 0);
    // Sequential requests never overlap.
    api.server.faults().clear_latency();
    for _ in 0..3 {
        api.get("/v2/role-bindings?resource_type=SPACE").await;
    }
    assert_eq!(api.server.peak_in_flight(), 1);
}
