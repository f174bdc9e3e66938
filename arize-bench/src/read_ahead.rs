//! Read-ahead: the facade's page stream over pages that each take the
//! server `delay` to answer, with `delay` of consumer work per page
//! (`tokio::time::sleep`), with read-ahead and without. Ideal ratio 0.5:
//! with read-ahead the next page's round trip hides behind the work.

use std::time::{Duration, Instant};

use anyhow::ensure;
use arize_fake_server::{FakeServer, Operation};
use arize_role_bindings::{ListQuery, ReadAhead, ResourceType};
use futures::TryStreamExt as _;

use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::{InProcess, seed_for};
use crate::stats::median;
use crate::{Sizes, client_runtime};

async fn walk(
    facade: &arize_role_bindings::Client,
    page: u32,
    mode: ReadAhead,
    work: Duration,
) -> anyhow::Result<(usize, usize, Duration)> {
    let started = Instant::now();
    let mut pages = facade.pages(
        ListQuery::new(ResourceType::Space)
            .limit(page)
            .read_ahead(mode),
    );
    let (mut count, mut bindings) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        count += 1;
        bindings += page.bindings().len();
        tokio::time::sleep(work).await;
    }
    Ok((count, bindings, started.elapsed()))
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server or client cannot start, a page fails, or a walk sees the
/// wrong number of pages or bindings.
pub fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let pages = sizes.read_ahead_pages;
    let n = pages * sizes.page;
    let delay = sizes.read_ahead_delay;
    let server = InProcess::start(
        FakeServer::builder()
            .seed(seed_for(n))
            .latency(Some(Operation::List), delay),
    )?;
    let facade = clients::facade(server.base_url(), API_KEY)?;
    let page = u32::try_from(sizes.page)?;
    let runtime = client_runtime()?;
    let modes = [ReadAhead::Off, ReadAhead::OnePage];
    let mut times: [Vec<Duration>; 2] = Default::default();
    runtime.block_on(async {
        // Connect once so neither mode pays for it.
        facade
            .list_page(&ListQuery::new(ResourceType::Space).limit(1))
            .await?;
        for round in 0..sizes.read_ahead_rounds.max(1) {
            for k in 0..modes.len() {
                let index = (round + k) % modes.len();
                let (count, bindings, elapsed) = walk(&facade, page, modes[index], delay).await?;
                ensure!(
                    count == pages && bindings == n,
                    "{:?}: {count} pages / {bindings} bindings, expected {pages} / {n}",
                    modes[index]
                );
                times[index].push(elapsed);
            }
        }
        anyhow::Ok(())
    })?;
    let ms = |i: usize| {
        median(
            &times[i]
                .iter()
                .map(|d| d.as_secs_f64() * 1e3)
                .collect::<Vec<_>>(),
        )
    };
    let (off, on) = (ms(0), ms(1));
    let ideal_off = pages as f64 * 2.0 * delay.as_secs_f64() * 1e3;
    Ok(vec![Row::ratio(
        "Read-ahead: with / without",
        format!(
            "{pages} pages, {} ms server latency per page, {} ms consumer work per page; \
             median walk: without {off:.0} ms (ideal {ideal_off:.0}), with {on:.0} ms",
            delay.as_millis(),
            delay.as_millis()
        ),
        on / off,
        Target::AtMost(0.60),
    )])
}
