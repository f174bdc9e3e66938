//! Bulk: `ensure` of many fresh (user, space) grants through the facade's
//! bounded-concurrency bulk API ([`Client::bulk`]), with server latency on
//! every call: concurrency 32 vs 1 (target ≥ 15× faster), and concurrency 32
//! with the fake server answering 429 (`Retry-After: 1`) to every 10th call
//! — every item must end correct. Each run starts a fresh in-process server,
//! so every grant is a create.
//!
//! Checked every time (a failure is a harness error): every input index
//! reported exactly once. Reported as rows (a miss is not a harness error):
//! items that failed, the server's final bindings, the server's peak of
//! requests in flight against the bound.
//!
//! [`Client::bulk`]: arize_role_bindings::Client::bulk

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use arize_fake_server::{FakeServer, Fault, FaultRule, Seed};
use arize_role_bindings::{Grant, Resource, RetryPolicy, RoleId, SpaceId, UserId};
use futures::StreamExt as _;

use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::{InProcess, shape_for};
use crate::{Sizes, client_runtime};

/// The bound of the concurrent runs.
const CONCURRENCY: usize = 32;
/// Attempts per call in the bulk runs: a call may meet several 429s in a
/// row when every 10th call is one.
const ATTEMPTS: u32 = 10;

/// What one bulk run did.
#[derive(Debug)]
struct RunOutcome {
    elapsed: Duration,
    /// Items whose result was an error (index, error).
    failed: Vec<(usize, String)>,
    /// Grants the server holds correctly at the end (user, resource, role).
    correct_on_server: usize,
    /// Bindings on the server at the end.
    bindings_on_server: usize,
    /// Most requests the server handled at once.
    peak_in_flight: usize,
    /// 429 answers the server sent.
    rate_limited: usize,
    /// Requests the server received.
    requests: usize,
}

fn ensure_run(
    n: usize,
    latency: Duration,
    concurrency: usize,
    rate_limit: bool,
) -> anyhow::Result<RunOutcome> {
    let (users, spaces) = shape_for(n);
    let seed = Seed::empty()
        .users(users)
        .roles(3)
        .spaces(spaces)
        .rng_seed(5);
    let mut builder = FakeServer::builder().seed(seed).latency(None, latency);
    if rate_limit {
        builder = builder.fault(FaultRule::new(Fault::Status(429)).every(10));
    }
    let server = InProcess::start(builder)?;
    let (user_ids, space_ids, role_ids) = (
        server.server().users(),
        server.server().spaces(),
        server.server().roles(),
    );
    let grants: Vec<Grant> = (0..n)
        .map(|i| {
            Grant::new(
                UserId::new(&user_ids[i / space_ids.len()]),
                RoleId::new(&role_ids[i % role_ids.len()]),
                Resource::Space(SpaceId::new(&space_ids[i % space_ids.len()])),
            )
        })
        .collect();
    let facade = clients::facade_builder(server.base_url(), API_KEY)?
        .retry_policy(RetryPolicy::standard().max_attempts(ATTEMPTS))
        .build()
        .context("building the facade client")?;
    let runtime = client_runtime()?;
    let (elapsed, failed) = runtime.block_on(async {
        let started = Instant::now();
        let mut results = facade
            .bulk()
            .concurrency(concurrency)
            .ensure(grants.clone());
        let mut seen = vec![false; n];
        let mut failed = Vec::new();
        while let Some(item) = results.next().await {
            ensure!(
                item.index < n && !seen[item.index],
                "bulk reported index {} twice or out of range",
                item.index
            );
            seen[item.index] = true;
            ensure!(
                item.input == grants[item.index],
                "bulk item {} carries another grant",
                item.index
            );
            match &item.result {
                Ok(ensured) if ensured.binding.role_id == item.input.role => {}
                Ok(ensured) => failed.push((
                    item.index,
                    format!("ensured with role {}", ensured.binding.role_id),
                )),
                Err(error) => failed.push((item.index, error.to_string())),
            }
        }
        let missing = seen.iter().filter(|s| !**s).count();
        ensure!(missing == 0, "bulk never reported {missing} of {n} items");
        anyhow::Ok((started.elapsed(), failed))
    })?;
    let bindings = server.server().bindings();
    let correct_on_server = grants
        .iter()
        .filter(|g| {
            bindings.iter().any(|b| {
                b.user_id.0 == g.user.as_str()
                    && g.resource
                        .as_resource()
                        .is_some_and(|r| b.resource_id.0 == r.id())
                    && b.role_id.0 == g.role.as_str()
            })
        })
        .count();
    let requests = server.server().requests();
    Ok(RunOutcome {
        elapsed,
        failed,
        correct_on_server,
        bindings_on_server: bindings.len(),
        peak_in_flight: server.server().peak_in_flight(),
        rate_limited: requests.iter().filter(|r| r.status == Some(429)).count(),
        requests: requests.len(),
    })
}

/// Runs the scenario.
///
/// # Errors
///
/// When a server or client cannot start, or the bulk stream does not
/// report every item exactly once.
pub fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let n = sizes.bulk_items;
    let ms = sizes.bulk_latency.as_millis();
    let one = ensure_run(n, sizes.bulk_latency, 1, false)?;
    let many = ensure_run(n, sizes.bulk_latency, CONCURRENCY, false)?;
    let limited = ensure_run(n, sizes.bulk_latency, CONCURRENCY, true)?;
    let all_ok = |o: &RunOutcome| {
        o.failed.is_empty() && o.correct_on_server == n && o.bindings_on_server == n
    };
    let first_failure = |o: &RunOutcome| {
        o.failed.first().map_or_else(String::new, |(i, e)| {
            format!("; first failure: item {i}: {e}")
        })
    };
    let speedup = one.elapsed.as_secs_f64() / many.elapsed.as_secs_f64();
    Ok(vec![
        Row::ratio(
            format!("Bulk: {n} ensure, {ms} ms latency, concurrency {CONCURRENCY} vs 1 (speed-up)"),
            format!(
                "concurrency 1: {:.2} s, {CONCURRENCY}: {:.2} s; every item correct: {} / {}",
                one.elapsed.as_secs_f64(),
                many.elapsed.as_secs_f64(),
                if all_ok(&one) { "yes" } else { "NO" },
                if all_ok(&many) { "yes" } else { "NO" },
            ),
            speedup,
            Target::AtLeast(15.0),
        ),
        Row::holds(
            "Bulk: never more than the bound in flight (server's peak)",
            format!(
                "peak requests in flight at the server: bound 1 → {}, bound {CONCURRENCY} → {}, \
                 bound {CONCURRENCY} with 429s → {}",
                one.peak_in_flight, many.peak_in_flight, limited.peak_in_flight
            ),
            one.peak_in_flight <= 1
                && many.peak_in_flight <= CONCURRENCY
                && limited.peak_in_flight <= CONCURRENCY,
        ),
        Row::holds(
            "Bulk: 10 % of calls answered 429 — every item ends correct",
            format!(
                "{} of {n} items Ok, {} of {n} grants on the server ({} bindings); {} of {} \
                 requests answered 429 (Retry-After: 1, shared pause); {:.2} s at concurrency \
                 {CONCURRENCY}; retry policy: {ATTEMPTS} attempts per call{}",
                n - limited.failed.len(),
                limited.correct_on_server,
                limited.bindings_on_server,
                limited.rate_limited,
                limited.requests,
                limited.elapsed.as_secs_f64(),
                first_failure(&limited),
            ),
            all_ok(&limited) && limited.rate_limited > 0,
        ),
    ])
}
