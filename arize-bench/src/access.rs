//! Access as code ([`arize_role_bindings::access`]) with server latency on
//! every request:
//!
//! - **plan** of an authoritative file over every space of an account with
//!   `10 × bulk_items` bindings (10,000 in the full run; a tenth of them
//!   with another role in the file): its requests (counted at the server:
//!   listing pages only, no directory yet) and its wall time against the
//!   same pages fetched by sequential `list_page` calls alone (target
//!   ≤ 1.2×);
//! - **apply** of `bulk_items` changes (1,000: half creates, half role
//!   changes) with the plan trusted ([`Recheck::TrustPlan`]): concurrency
//!   32 vs 1 (target ≥ 15×) and requests against changes (target: no more,
//!   retries aside).
//!
//! Each run starts a fresh in-process server. Checked every time (a
//! failure is a harness error): the plan's counts, and that the account is
//! in sync after each apply.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use arize_fake_server::{FakeServer, Seed};
use arize_role_bindings::access::{
    self, DesiredState, GrantSpec, IdsOnly, Mode, Recheck, Scope, UsersScope,
};
use arize_role_bindings::{Client, ListQuery, ResourceType};

use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::{InProcess, shape_for};
use crate::{Sizes, client_runtime};

/// The bound of the concurrent apply.
const CONCURRENCY: usize = 32;

fn client(server: &InProcess) -> anyhow::Result<Client> {
    clients::facade_builder(server.base_url(), API_KEY)?
        .build()
        .context("building the facade client")
}

/// An account with `n` space bindings, and an authoritative file that
/// keeps them all but changes the role of every `change_every`-th, plus
/// `creates` grants to users that have none.
fn account_and_file(
    n: usize,
    creates: usize,
    change_every: usize,
    latency: Duration,
) -> anyhow::Result<(InProcess, DesiredState, usize)> {
    let (users, spaces) = shape_for(n + creates);
    let seed = Seed::empty()
        .users(users)
        .roles(3)
        .spaces(spaces)
        .bindings(n)
        .rng_seed(12);
    let server = InProcess::start(FakeServer::builder().seed(seed).latency(None, latency))?;
    let fake = server.server();
    let roles = fake.roles();
    let space_ids = fake.spaces();
    let mut grants = Vec::new();
    let mut changes = 0;
    let mut taken = std::collections::HashSet::new();
    for (i, b) in fake.bindings().into_iter().enumerate() {
        let role = if change_every > 0 && i % change_every == 0 {
            changes += 1;
            roles
                .iter()
                .find(|r| **r != b.role_id.0)
                .cloned()
                .unwrap_or_default()
        } else {
            b.role_id.0.clone()
        };
        taken.insert((b.user_id.0.clone(), b.resource_id.0.clone()));
        grants.push(GrantSpec::space(b.user_id.0, role, b.resource_id.0));
    }
    let mut added = 0;
    'outer: for user in fake.users() {
        for space in &space_ids {
            if added == creates {
                break 'outer;
            }
            if !taken.contains(&(user.clone(), space.clone())) {
                grants.push(GrantSpec::space(
                    user.clone(),
                    roles[0].clone(),
                    space.clone(),
                ));
                added += 1;
            }
        }
    }
    ensure!(
        added == creates,
        "the seed has room for {added} of {creates} creates"
    );
    let file = DesiredState::new(
        Mode::Authoritative,
        Scope {
            spaces: space_ids,
            projects: Vec::new(),
            users: Some(UsersScope::All),
        },
        grants,
    );
    Ok((server, file, changes + creates))
}

/// Runs the scenario.
///
/// # Errors
///
/// When a server or client cannot start, or a plan or apply does not do
/// what it must.
pub fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let latency = sizes.bulk_latency;
    let ms = latency.as_millis();
    let runtime = client_runtime()?;

    // Plan.
    let n = sizes.bulk_items * 10;
    let (server, file, expected) = account_and_file(n, 0, 10, latency)?;
    let facade = client(&server)?;
    let (plan_time, plan_requests, list_time, pages) = runtime.block_on(async {
        server.server().clear_requests();
        let started = Instant::now();
        let plan = access::plan(&facade, &file, &IdsOnly).await?;
        let plan_time = started.elapsed();
        ensure!(
            plan.changes.len() == expected && plan.unchanged.len() == n - expected,
            "plan: {} changes, {} unchanged (expected {expected}, {})",
            plan.changes.len(),
            plan.unchanged.len(),
            n - expected
        );
        let plan_requests = server.server().requests().len();
        // The same pages, one sequential list call after the other.
        let started = Instant::now();
        let mut query = ListQuery::new(ResourceType::Space).limit(100);
        let mut pages = 0;
        loop {
            let page = facade.list_page(&query).await?;
            pages += 1;
            match page.next_cursor() {
                Some(cursor) if page.has_more() => query = query.cursor(cursor.clone()),
                _ => break,
            }
        }
        anyhow::Ok((plan_time, plan_requests, started.elapsed(), pages))
    })?;
    drop(server);

    // Apply, concurrency 1 and 32.
    let changes = sizes.bulk_items;
    let mut applies = Vec::new();
    for concurrency in [1, CONCURRENCY] {
        let (server, file, expected) =
            account_and_file(changes / 2, changes - changes / 2, 1, latency)?;
        let facade = client(&server)?;
        let outcome = runtime.block_on(async {
            let plan = access::plan(&facade, &file, &IdsOnly).await?;
            ensure!(
                plan.len() == expected,
                "plan of {} changes, expected {expected}",
                plan.len()
            );
            server.server().clear_requests();
            let started = Instant::now();
            let summary = access::apply(&facade, &plan)
                .concurrency(concurrency)
                .recheck(Recheck::TrustPlan)
                .start()
                .await?
                .summarize()
                .await;
            let elapsed = started.elapsed();
            let requests = server.server().requests().len();
            ensure!(
                summary.is_complete() && summary.done == expected,
                "{summary}"
            );
            let again = access::plan(&facade, &file, &IdsOnly).await?;
            ensure!(
                again.in_sync(),
                "not in sync after apply: {} changes left",
                again.len()
            );
            anyhow::Ok((elapsed, requests, server.server().peak_in_flight()))
        })?;
        applies.push((concurrency, outcome));
    }
    let (_, (one, one_requests, _)) = applies[0];
    let (_, (many, many_requests, peak)) = applies[1];
    let ratio = plan_time.as_secs_f64() / list_time.as_secs_f64();
    Ok(vec![
        Row::ratio(
            format!(
                "Access plan: {n} bindings in scope at {ms} ms latency, wall time / the same {pages} list calls made sequentially"
            ),
            format!(
                "plan {:.2} s, {plan_requests} requests (listing pages only, nothing per grant); \
                 sequential list calls {:.2} s",
                plan_time.as_secs_f64(),
                list_time.as_secs_f64()
            ),
            ratio,
            Target::AtMost(1.2),
        ),
        Row::ratio(
            format!(
                "Access apply: {changes} changes at {ms} ms latency, concurrency {CONCURRENCY} vs 1 (speed-up)"
            ),
            format!(
                "concurrency 1: {:.2} s, {CONCURRENCY}: {:.2} s (server's peak in flight {peak}); \
                 in sync after each",
                one.as_secs_f64(),
                many.as_secs_f64()
            ),
            one.as_secs_f64() / many.as_secs_f64(),
            Target::AtLeast(15.0),
        ),
        Row::holds(
            "Access apply: no more requests than changes (plan trusted, no retries needed)",
            format!(
                "{changes} changes: {one_requests} requests at concurrency 1, {many_requests} at \
                 {CONCURRENCY}"
            ),
            one_requests <= changes && many_requests <= changes,
        ),
    ])
}
